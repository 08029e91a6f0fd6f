using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;
using Xunit;
using static Dnas.Tests.Engine.KernelAssert;

namespace Dnas.Tests.Engine;

/// <summary>The engine's fusion switches move work, not results: two training steps with a fusion
/// off against the default. Deferred outputs are bit-identical; gathered batch-norm sums are the
/// same sums in another order. The net is large enough (8 images of 64x64 at width 1.0) for
/// the fused 1x1 backward, so every gathering path runs. The switches are process-wide, so this
/// class runs in the isolated collection.</summary>
[Collection(IsolatedCollection.Name)]
public class FusionSwitchTests
{
    private static float[][] TrainTwoSteps(Action<bool> set, bool enabled) => TrainTwoSteps(set, enabled, out _);

    private static float[][] TrainTwoSteps(Action<bool> set, bool enabled, out int gatheredUses)
    {
        set(enabled);
        try
        {
            var net = new MobileNetV2(MobileNetV2Spec.Standard(1.0, 3, 3));
            net.Initialize(7);
            var trainer = new Trainer(net, new Sgd(net.Parameters(), momentum: 0.9f, weightDecay: 4e-5f), new CosineSchedule(0.05f, 100));
            var x = new Tensor(RandomFloats(8 * 64 * 64 * 3, 8), 8, 64, 64, 3);
            int[] labels = [0, 1, 2, 0, 1, 2, 0, 1];
            trainer.Step(x, labels);
            trainer.Step(x, labels);
            gatheredUses = net.ConvLayers().Sum(l => l.GatheredSumsUsed);
            return net.Parameters().Select(p => (float[])p.Value.Clone()).ToArray();
        }
        finally { set(true); }
    }

    [Fact]
    public void DeferredOutputsChangeNoBit()
    {
        var on = TrainTwoSteps(v => Fusion.DeferOutputs = v, true);
        var off = TrainTwoSteps(v => Fusion.DeferOutputs = v, false);
        for (int i = 0; i < on.Length; i++) Assert.Equal(off[i], on[i]);
    }

    [Fact]
    public void GatheredSumsGiveTheSameTraining()
    {
        var on = TrainTwoSteps(v => Fusion.GatherGradSums = v, true, out int usedOn);
        var off = TrainTwoSteps(v => Fusion.GatherGradSums = v, false, out int usedOff);
        Assert.True(usedOn > 0, "no layer took gathered sums");
        Assert.Equal(0, usedOff);
        // Often bit-identical: the gathered blocks are the separate pass's blocks, and the double
        // partial sums round to the same floats.
        for (int i = 0; i < on.Length; i++) Close($"parameter {i}", off[i], on[i], 1e-4);
    }
}
