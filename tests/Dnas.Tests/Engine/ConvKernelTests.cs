using Dnas.Engine;
using Dnas.Engine.Kernels;
using Dnas.Engine.Reference;
using Xunit;
using static Dnas.Tests.Engine.KernelAssert;

namespace Dnas.Tests.Engine;

/// <summary>The im2col stem convolution and the element-wise kernels against their references.</summary>
public class ConvKernelTests
{
    public static IEnumerable<object[]> StemSizes()
    {
        foreach (int ci in new[] { 1, 3 })
            foreach (int co in new[] { 1, 7, 8, 16, 17, 33 })
                foreach (var (h, w) in new[] { (1, 1), (2, 3), (7, 7), (8, 8), (13, 9) })
                    foreach (int s in new[] { 1, 2 })
                        yield return [2, h, w, ci, co, 3, s];
        yield return new object[] { 1, 9, 11, 2, 5, 5, 2 };
    }

    /// <summary>A stem layer large enough for the fused BN + weight-gradient sweep (dZ never
    /// written) against the unfused kernels: BN backward, then the im2col weight gradient.</summary>
    [Theory]
    [InlineData(4, 130, 130, 3, 32, true)]
    [InlineData(2, 200, 180, 1, 32, false)]
    public void LargeStemBackwardMatchesUnfused(int n, int h, int w, int ci, int co, bool relu6)
    {
        const int k = 3, s = 2;
        int oh = Padding.SameOutput(h, s), ow = Padding.SameOutput(w, s), p = n * oh * ow;
        Assert.True(PointwiseBackward.Worthwhile(p, co)); // the shape takes the fused path
        var x = new Tensor(RandomFloats(n * h * w * ci, 31), n, h, w, ci);
        var layer = new Dnas.Engine.Layers.ConvBn("stem", Dnas.Engine.Layers.ConvKind.Full, ci, co, k, s, relu6);
        RandomFloats(layer.Weight.Length, 32).CopyTo(layer.Weight.Value, 0);
        RandomFloats(co, 33, 0.5f, 1.5f).CopyTo(layer.Gamma.Value, 0);
        RandomFloats(co, 34).CopyTo(layer.Beta.Value, 0);
        layer.Forward(x, training: true);
        var dy = RandomFloats(p * co, 35);
        layer.Backward(new Tensor((float[])dy.Clone(), n, oh, ow, co), null);

        var cols = new float[Conv2d.ScratchSize(n, h, w, ci, k, s)]; var z = new float[p * co];
        Conv2d.Forward(x.Span, layer.Weight.Value, z, cols, n, h, w, ci, co, k, s);
        var mean = new float[co]; var inv = new float[co]; var ss = new float[2 * co];
        BatchNorm.ForwardTrain(z, new float[p * co], p, co, layer.Gamma.Value, layer.Beta.Value, mean, inv, new float[co], new float[co], 0.1f, 1e-5f, relu6, ss);
        var dg = new float[co]; var db = new float[co]; var dw = new float[layer.Weight.Length];
        BatchNorm.Backward(dy, z, ss, dy, p, co, layer.Gamma.Value, mean, inv, dg, db, relu6);
        Conv2d.BackwardWeight(dy, cols, dw, n, h, w, ci, co, k, s);
        Assert.Equal(dg, layer.Gamma.Grad);
        Assert.Equal(db, layer.Beta.Grad);
        Close("stem dW", dw, layer.Weight.Grad, 1e-4);
    }

    [Theory]
    [MemberData(nameof(StemSizes))]
    public void StemMatchesReference(int n, int h, int w, int ci, int co, int k, int s)
    {
        int oh = Padding.SameOutput(h, s), ow = Padding.SameOutput(w, s);
        var x = RandomFloats(n * h * w * ci, h * 7 + w); var wt = RandomFloats(co * k * k * ci, co);
        var dy = RandomFloats(n * oh * ow * co, 99);
        var cols = new float[Conv2d.ScratchSize(n, h, w, ci, k, s)];

        var yRef = new float[n * oh * ow * co]; var y = new float[yRef.Length];
        ConvReference.Forward<float>(x, wt, yRef, n, h, w, ci, co, k, s);
        Conv2d.Forward(x, wt, y, cols, n, h, w, ci, co, k, s);
        Close("stem y", yRef, y);

        var dwRef = new float[wt.Length]; var dw = new float[wt.Length];
        ConvReference.BackwardWeight<float>(dy, x, dwRef, n, h, w, ci, co, k, s);
        Conv2d.BackwardWeight(dy, cols, dw, n, h, w, ci, co, k, s);
        Close("stem dw", dwRef, dw);

        var dxRef = new float[x.Length]; var dx = new float[x.Length];
        ConvReference.BackwardInput<float>(dy, wt, dxRef, n, h, w, ci, co, k, s);
        Conv2d.BackwardInput(dy, wt, dx, cols, n, h, w, ci, co, k, s);
        Close("stem dx", dxRef, dx);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 5, 7)]
    [InlineData(3, 9, 33)]
    [InlineData(32, 3, 1280)]
    public void PoolingAndAdd(int n, int hw, int c)
    {
        var x = RandomFloats(n * hw * c, 1); var dy = RandomFloats(n * c, 2);
        var yRef = new float[n * c]; var y = new float[n * c];
        ElementwiseReference.GlobalAvgPoolForward<float>(x, yRef, n, hw, c);
        Elementwise.GlobalAvgPoolForward(x, y, n, hw, c);
        Close("pool", yRef, y);
        var dxRef = new float[x.Length]; var dx = new float[x.Length];
        ElementwiseReference.GlobalAvgPoolBackward<float>(dy, dxRef, n, hw, c);
        Elementwise.GlobalAvgPoolBackward(dy, dx, n, hw, c);
        Close("pool backward", dxRef, dx);

        var a = RandomFloats(x.Length, 3); var sum = new float[x.Length];
        Elementwise.Add(a, x, sum);
        for (int i = 0; i < sum.Length; i++) Assert.Equal(a[i] + x[i], sum[i]);
        Assert.Throws<ShapeMismatchException>(() => Elementwise.Add(a, new float[x.Length + 1], sum));
    }
}
