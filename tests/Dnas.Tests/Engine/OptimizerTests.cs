using Dnas.Engine;
using Dnas.Engine.Optim;
using Xunit;

namespace Dnas.Tests.Engine;

public class OptimizerTests
{
    private static readonly float[] Lrs = [0.1f, 0.05f, 0.02f];

    /// <summary>Three steps of SGD (plain and Nesterov momentum, weight decay) and Adam against
    /// torch.optim (bench/pytorch/dump_optimizers.py), relative error ≤ 1e-5.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void MatchesTorchOptim(int which)
    {
        var fx = new TorchFixture(TorchFixture.PathOf("optim_steps.bin"));
        int steps = fx.Header[2], n = fx.Header[3];
        var p = new Parameter("p", [n]);
        fx.Tensors[0].F!.CopyTo(p.Value, 0);
        IOptimizer opt = which switch
        {
            0 => new Sgd([p], 0.9f, 1e-3f),
            1 => new Sgd([p], 0.9f, 1e-3f, nesterov: true),
            _ => new Adam([p], 0.9f, 0.999f, 1e-8f, 1e-3f),
        };
        for (int s = 0; s < steps; s++)
        {
            fx.Tensors[1 + s].F!.CopyTo(p.Grad, 0);
            opt.Step(Lrs[s]);
            var expected = fx.Tensors[1 + steps + which * steps + s].F!;
            TorchReferenceTests.AssertClose($"optimiser {which} step {s}", expected, p.Value);
        }
    }

    [Fact]
    public void NoDecayParametersAreNotDecayed()
    {
        var decayed = new Parameter("w", [1]);
        var bias = new Parameter("b", [1], noDecay: true);
        decayed.Value[0] = bias.Value[0] = 1f;
        new Sgd([decayed, bias], momentum: 0f, weightDecay: 0.5f).Step(0.1f);
        Assert.Equal(0.95f, decayed.Value[0], 6);
        Assert.Equal(1f, bias.Value[0]);
    }

    [Fact]
    public void CosineScheduleWarmsUpThenDecays()
    {
        var s = new CosineSchedule(0.1f, TotalSteps: 110, WarmupSteps: 10, MinLr: 0f);
        Assert.Equal(0.01f, s.At(0), 6);
        Assert.Equal(0.1f, s.At(9), 6);
        Assert.Equal(0.1f, s.At(10), 6);
        Assert.Equal(0.05f, s.At(60), 5);
        Assert.Equal(0f, s.At(110), 6);
        Assert.Equal(0f, s.At(500), 6);
    }
}
