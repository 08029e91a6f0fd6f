using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;
using Dnas.Supernet;
using Dnas.Tests.Engine;
using Xunit;

namespace Dnas.Tests.Supernet;

public class ElasticMobileNetV2Tests
{
    private static readonly int[] MaxDepths = [1, 2, 3, 4, 3, 3, 1];

    private static ElasticMobileNetV2 Supernet(ulong seed = 1)
    {
        var s = new ElasticMobileNetV2(0.5, MaxDepths, 6, 7, 2);
        s.Full.Initialize(seed);
        var rng = new Rng(seed + 1);
        foreach (var p in s.Full.Parameters()) // non-trivial BN and biases too
            for (int i = 0; i < p.Length; i++) p.Value[i] += (float)(0.05 * rng.NextGaussian());
        return s;
    }

    private static SubnetSpec Random(Rng rng, int inChannels)
    {
        double[] widths = [0.35, 0.5];
        var depths = MaxDepths.Select((d, st) => st == 0 ? 1 : 1 + rng.NextInt(d)).ToArray();
        var blocks = new List<BlockChoice>();
        for (int st = 0; st < depths.Length; st++)
            for (int j = 0; j < depths[st]; j++)
                blocks.Add(st == 0 ? new BlockChoice(1, 3) : new BlockChoice(new[] { 3, 4, 6 }[rng.NextInt(3)], new[] { 3, 5, 7 }[rng.NextInt(3)]));
        return new SubnetSpec(inChannels, widths[rng.NextInt(2)], depths, blocks, 2);
    }

    [Fact]
    public void TheLargestSubnetIsTheSupernet()
    {
        var s = Supernet();
        var largest = new SubnetSpec(3, 0.5, MaxDepths, s.Full.Spec.Blocks.Select(b => new BlockChoice(b.Expand, b.Kernel)).ToArray(), 2);
        var net = s.Create(largest);
        s.LoadInto(net, largest);
        var a = s.Full.Parameters().ToArray(); var b = net.Parameters().ToArray();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i].Value, b[i].Value);
    }

    [Fact]
    public void GraySubnetEqualsRgbSubnetOnReplicatedGray()
    {
        var s = Supernet();
        var rng = new Rng(5);
        var rgbSpec = Random(rng, 3);
        var graySpec = rgbSpec with { InChannels = 1 };
        var rgb = s.Create(rgbSpec); s.LoadInto(rgb, rgbSpec);
        var gray = s.Create(graySpec); s.LoadInto(gray, graySpec);
        var g = KernelAssert.RandomFloats(2 * 33 * 33, 9, 0f, 1f);
        var x3 = new float[g.Length * 3];
        for (int i = 0; i < g.Length; i++) x3[3 * i] = x3[3 * i + 1] = x3[3 * i + 2] = g[i];
        var y1 = gray.Forward(new Tensor(g, 2, 33, 33, 1), training: false).Span.ToArray();
        var y3 = rgb.Forward(new Tensor(x3, 2, 33, 33, 3), training: false).Span.ToArray();
        KernelAssert.Close("gray vs replicated RGB logits", y3, y1, 1e-4);
    }

    [Fact]
    public void GradientsGoBackWhereTheWeightsCameFrom()
    {
        var s = Supernet();
        var rng = new Rng(11);
        for (int trial = 0; trial < 3; trial++)
        {
            var spec = Random(rng, trial == 0 ? 1 : 3);
            var net = s.Create(spec);
            s.LoadInto(net, spec);
            net.ZeroGrad(); s.Full.ZeroGrad();
            var x = new Tensor(KernelAssert.RandomFloats(2 * 24 * 24 * spec.InChannels, trial), 2, 24, 24, spec.InChannels);
            var dl = new Tensor(0);
            Loss.SoftmaxCrossEntropy(net.Forward(x, training: true), [0, 1], dl);
            net.Backward(dl);
            s.AccumulateGradients(net, spec);
            // Total gradient mass is preserved (a gray stem spreads its gradient over 3 channels).
            double sub = 0, full = 0;
            foreach (var p in net.Parameters()) sub += p.Grad.Sum(v => (double)v) * (p == net.Stem.Weight && spec.InChannels == 1 ? 3 : 1);
            foreach (var p in s.Full.Parameters()) full += p.Grad.Sum(v => (double)v);
            Assert.True(Math.Abs(sub - full) <= 1e-4 * Math.Max(1, Math.Abs(sub)), $"gradient sums {sub} vs {full}");
            // A depthwise kernel's gradient lands in the centre of the 7x7 and nowhere else.
            var sb = net.Blocks[1]; var fb = s.Full.Blocks[1];
            int k = sb.Dw.Kernel, off = (7 - k) / 2, c = fb.Dw.OutChannels;
            for (int ky = 0; ky < 7; ky++)
                for (int kx = 0; kx < 7; kx++)
                {
                    bool inside = ky >= off && ky < off + k && kx >= off && kx < off + k;
                    float gFull = fb.Dw.Weight.Grad[(ky * 7 + kx) * c];
                    float gSub = inside ? sb.Dw.Weight.Grad[((ky - off) * k + kx - off) * sb.Dw.OutChannels] : 0f;
                    Assert.Equal(gSub, gFull);
                }
        }
    }

    [Fact]
    public void SubnetsOutsideTheSupernetAreRejected()
    {
        var s = Supernet();
        var ok = Random(new Rng(1), 3);
        Assert.Throws<ArgumentException>(() => s.Create(ok with { Width = 0.75 }));
        Assert.Throws<ArgumentException>(() => s.Create(ok with { Classes = 3 }));
        Assert.Throws<ArgumentException>(() => s.Create(ok with { Depths = [1, 3, 3, 4, 3, 3, 1] }));
    }

    [Fact]
    public void RecalibrationAveragesTheBatchStatistics()
    {
        var s = Supernet();
        var spec = Random(new Rng(3), 3);
        var net = s.Create(spec); s.LoadInto(net, spec);
        var b1 = new Tensor(KernelAssert.RandomFloats(4 * 20 * 20 * 3, 4), 4, 20, 20, 3);
        var b2 = new Tensor(KernelAssert.RandomFloats(4 * 20 * 20 * 3, 5, -2f, 3f), 4, 20, 20, 3);
        // The stem sees the images themselves, so its statistics after [b1, b2] are the mean of
        // those after [b1] and after [b2] (cumulative average, not an exponential one).
        BnRecalibration.Recalibrate(net, [b1]);
        var m1 = (float[])net.Stem.RunningMean.Clone(); var v1 = (float[])net.Stem.RunningVar.Clone();
        BnRecalibration.Recalibrate(net, [b2]);
        var m2 = (float[])net.Stem.RunningMean.Clone(); var v2 = (float[])net.Stem.RunningVar.Clone();
        BnRecalibration.Recalibrate(net, [b1, b2]);
        KernelAssert.Close("stem running mean", m1.Zip(m2, (a, b) => (a + b) / 2).ToArray(), net.Stem.RunningMean, 1e-5);
        KernelAssert.Close("stem running var", v1.Zip(v2, (a, b) => (a + b) / 2).ToArray(), net.Stem.RunningVar, 1e-5);
        Assert.NotEqual(m1, m2);
        Assert.All(net.ConvLayers(), l => Assert.Equal(Dnas.Engine.Layers.ConvBn.BnMomentum, l.Momentum));
        Assert.Throws<ArgumentException>(() => BnRecalibration.Recalibrate(net, []));
    }
}

public class SandwichTrainerTests
{
    private static readonly int[] MaxDepths = [1, 2, 2, 2, 2, 2, 1];

    private static SubnetSpec Largest(ElasticMobileNetV2 s) =>
        new(3, s.MaxWidth, MaxDepths, s.Full.Spec.Blocks.Select(b => new BlockChoice(b.Expand, b.Kernel)).ToArray(), s.Classes);

    private static SubnetSpec Smallest(int depth1 = 1) =>
        new(3, 0.35, [1, depth1, 1, 1, 1, 1, 1],
            [new(1, 3), .. Enumerable.Repeat(new BlockChoice(3, 3), depth1 + 5)], 2);

    [Fact]
    public void LargestAloneIsAnOrdinaryTrainingStep()
    {
        var s = new ElasticMobileNetV2(0.5, MaxDepths, 6, 5, 2);
        s.Full.Initialize(3);
        var plain = new MobileNetV2(s.Full.Spec);
        plain.Initialize(3);
        var x = new Tensor(KernelAssert.RandomFloats(4 * 24 * 24 * 3, 1), 4, 24, 24, 3);
        int[] labels = [0, 1, 1, 0];
        var sandwich = new SandwichTrainer(s, new Sgd(s.Full.Parameters()), new CosineSchedule(0.05f, 10), distill: true);
        var trainer = new Trainer(plain, new Sgd(plain.Parameters()), new CosineSchedule(0.05f, 10));
        for (int step = 0; step < 2; step++)
        {
            float a = sandwich.Step(x, labels, [Largest(s)]);
            float b = trainer.Step(x, labels);
            Assert.Equal(b, a);
        }
        var p = s.Full.Parameters().ToArray(); var q = plain.Parameters().ToArray();
        for (int i = 0; i < p.Length; i++) Assert.Equal(q[i].Value, p[i].Value);
    }

    [Fact]
    public void SandwichStepsWithDistillationAreDeterministic()
    {
        float[][] Run()
        {
            var s = new ElasticMobileNetV2(0.5, MaxDepths, 6, 5, 2);
            s.Full.Initialize(4);
            var t = new SandwichTrainer(s, new Sgd(s.Full.Parameters(), weightDecay: 0f), new CosineSchedule(0.05f, 10), distill: true);
            var x = new Tensor(KernelAssert.RandomFloats(4 * 24 * 24 * 3, 2), 4, 24, 24, 3);
            for (int step = 0; step < 2; step++)
                Assert.True(float.IsFinite(t.Step(x, [1, 0, 0, 1], [Largest(s), Smallest(), Smallest(2)])));
            return s.Full.Parameters().Select(p => (float[])p.Value.Clone()).ToArray();
        }
        var a = Run(); var b = Run();
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
    }
}
