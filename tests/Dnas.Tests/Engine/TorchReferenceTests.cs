using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;
using Xunit;

namespace Dnas.Tests.Engine;

/// <summary>The llm.c check: one training step of a small MobileNetV2 against PyTorch 1.13
/// (bench/pytorch/dump_mnv2_step.py): logits, loss, every gradient, every updated weight and
/// the BN running statistics, all within 1e-4 relative error.</summary>
public class TorchReferenceTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void OneSgdStepMatchesPyTorch()
    {
        var fx = new TorchFixture(TorchFixture.PathOf("mnv2_step.bin"));
        int batch = fx.Header[2], h = fx.Header[3], w = fx.Header[4], cin = fx.Header[5], classes = fx.Header[6];
        double width = fx.Header[7] / 1000.0;
        float lr = fx.HeaderFloat(9), momentum = fx.HeaderFloat(10), wd = fx.HeaderFloat(11);

        var model = new MobileNetV2(MobileNetV2Spec.Standard(width, cin, classes));
        var parameters = model.Parameters().ToArray();
        int np = parameters.Length;
        int layers = model.ConvLayers().Count();
        Assert.Equal(4 + 3 * np + 2 * layers, fx.Tensors.Count);

        for (int i = 0; i < np; i++)
        {
            var (shape, values, _) = fx.Tensors[4 + i];
            Assert.True(shape.SequenceEqual(parameters[i].Shape), $"{parameters[i]} vs fixture {Shape.Format(shape)}");
            values!.CopyTo(parameters[i].Value, 0);
        }

        var x = new Tensor(fx.Tensors[0].F!, batch, h, w, cin);
        var labels = fx.Tensors[1].I!;
        var opt = new Sgd(parameters, momentum, wd);
        model.ZeroGrad();
        var logits = model.Forward(x, training: true);
        var dLogits = new Tensor(0);
        float loss = Loss.SoftmaxCrossEntropy(logits, labels, dLogits);
        model.Backward(dLogits);

        AssertClose("logits", fx.Tensors[2].F!, logits.Span.ToArray());
        AssertClose("loss", fx.Tensors[3].F!, [loss]);
        // Some gradients are exactly zero in exact arithmetic (the shift of a BN whose output
        // feeds another BN through a linear conv), so errors are measured against the larger of
        // the tensor's own scale and 1e-3 of the largest gradient anywhere in the net.
        float gradFloor = 0;
        for (int i = 0; i < np; i++) foreach (var g in fx.Tensors[4 + np + i].F!) gradFloor = Math.Max(gradFloor, Math.Abs(g) * 1e-3f);
        for (int i = 0; i < np; i++) AssertClose("grad " + parameters[i].Name, fx.Tensors[4 + np + i].F!, parameters[i].Grad, gradFloor);
        opt.Step(lr);
        for (int i = 0; i < np; i++) AssertClose("updated " + parameters[i].Name, fx.Tensors[4 + 2 * np + i].F!, parameters[i].Value);
        int j = 0;
        foreach (var l in model.ConvLayers())
        {
            AssertClose(l.Weight.Name + " running mean", fx.Tensors[4 + 3 * np + j].F!, l.RunningMean);
            AssertClose(l.Weight.Name + " running var", fx.Tensors[4 + 3 * np + layers + j].F!, l.RunningVar);
            j++;
        }
    }

    /// <summary>Relative error as llm.c measures it: max |a-b| over the tensor, divided by
    /// the tensor's largest magnitude (so tiny entries near zero do not dominate).</summary>
    internal static void AssertClose(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float floor = 0)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double maxDiff = 0, scale = Math.Max(floor, 1e-12);
        int worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(expected[i] - actual[i]);
            if (d > maxDiff) { maxDiff = d; worst = i; }
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        double rel = maxDiff / scale;
        Assert.True(rel <= Tolerance, $"{what}: relative error {rel:E2} at [{worst}] (expected {expected[worst]}, got {actual[worst]}, scale {scale:E2})");
    }
}
