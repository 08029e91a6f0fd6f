using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;
using Xunit;

namespace Dnas.Tests.Engine;

public class MobileNetV2Tests
{
    [Fact]
    public void WidthRoundingMatchesTorchvision()
    {
        var s = MobileNetV2Spec.Standard(0.35, 3, 2);
        Assert.Equal(16, s.StemChannels);
        Assert.Equal(new[] { 8, 8, 8, 16, 16, 16, 24, 24, 24, 24, 32, 32, 32, 56, 56, 56, 112 }, s.Blocks.Select(b => b.Out));
        Assert.Equal(1280, s.HeadChannels);
        var full = MobileNetV2Spec.Standard(1.0, 3, 1000);
        Assert.Equal(32, full.StemChannels);
        Assert.Equal(1280, full.HeadChannels);
        Assert.Equal(1664, MobileNetV2Spec.Standard(1.3, 3, 2).HeadChannels); // 1280·1.3 rounded by 8
        // torchvision's MobileNetV2-1.0 at 224x224: 300.8 M multiply-adds (3.505 M parameters).
        Assert.InRange(full.Macs(224, 224), 299_000_000, 302_000_000);
        var net = new MobileNetV2(full);
        Assert.Equal(3_504_872, net.Parameters().Sum(p => (long)p.Length));
    }

    [Fact]
    public void ShapeErrorsNameBothShapes()
    {
        var net = new MobileNetV2(MobileNetV2Spec.Standard(0.35, 3, 2));
        var ex = Assert.Throws<ShapeMismatchException>(() => net.Forward(new Tensor(2, 32, 32, 1), training: false));
        Assert.Contains("[N,H,W,3]", ex.Message);
        Assert.Contains("[2,32,32,1]", ex.Message);
        Assert.Throws<ShapeMismatchException>(() => new Tensor(new float[3], 2, 2));
    }

    [Theory]
    [InlineData(1, 28, 28)]
    [InlineData(3, 35, 33)]
    [InlineData(3, 1, 1)]
    public void AnyResolutionAndChannels(int channels, int h, int w)
    {
        var net = new MobileNetV2(MobileNetV2Spec.Standard(0.35, channels, 4));
        net.Initialize(1);
        var x = new Tensor(KernelAssert.RandomFloats(2 * h * w * channels, 3), 2, h, w, channels);
        var logits = net.Forward(x, training: true);
        Assert.Equal(new[] { 2, 4 }, logits.Shape.ToArray());
        net.Backward(new Tensor(KernelAssert.RandomFloats(8, 4), 2, 4));
        Assert.All(net.Parameters(), p => Assert.All(p.Grad, g => Assert.True(float.IsFinite(g))));
    }

    private static float[][] Train(ulong seed, int steps, int threads)
    {
        int saved = Workers.Threads;
        Workers.Threads = threads;
        try
        {
            var net = new MobileNetV2(MobileNetV2Spec.Standard(0.35, 3, 3));
            net.Initialize(seed);
            var trainer = new Trainer(net, new Sgd(net.Parameters(), 0.9f, 4e-5f), new CosineSchedule(0.05f, steps, 1));
            var rng = new Rng(seed + 1);
            var x = new Tensor(8, 24, 24, 3);
            var labels = new int[8];
            for (int s = 0; s < steps; s++)
            {
                for (int i = 0; i < x.Length; i++) x.Span[i] = (float)rng.NextGaussian();
                for (int i = 0; i < labels.Length; i++) labels[i] = rng.NextInt(3);
                trainer.Step(x, labels);
            }
            return net.Parameters().Select(p => (float[])p.Value.Clone()).ToArray();
        }
        finally { Workers.Threads = saved; }
    }

    [Fact]
    public void SameSeedAndThreadsGiveBitIdenticalWeights()
    {
        var a = Train(7, 3, 2);
        var b = Train(7, 3, 2);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
        var c = Train(8, 3, 2);
        Assert.NotEqual(a[0], c[0]);
    }

    [Fact]
    public void LearnsASeparableProblem()
    {
        // Class = which half of the image is brighter: a few dozen steps must beat chance clearly.
        var net = new MobileNetV2(MobileNetV2Spec.Standard(0.35, 1, 2));
        net.Initialize(3);
        int steps = 120;
        var trainer = new Trainer(net, new Sgd(net.Parameters(), 0.9f, 0f), new CosineSchedule(0.05f, steps, 5));
        var rng = new Rng(11);
        var x = new Tensor(16, 16, 16, 1);
        var labels = new int[16];
        void Fill()
        {
            for (int b = 0; b < 16; b++)
            {
                labels[b] = rng.NextInt(2);
                for (int y = 0; y < 16; y++)
                    for (int xx = 0; xx < 16; xx++)
                        x.Span[(b * 16 + y) * 16 + xx] = (float)(rng.NextGaussian() * 0.3 + ((xx < 8) == (labels[b] == 1) ? 1 : -1));
            }
        }
        for (int s = 0; s < steps; s++) { Fill(); trainer.Step(x, labels); }
        int correct = 0;
        for (int r = 0; r < 8; r++) { Fill(); correct += trainer.CountCorrect(x, labels); }
        Assert.True(correct >= 0.9 * 128, $"only {correct}/128 correct after training");
    }
}

public class AllocationTests
{
    [Fact]
    public void TrainingStepAllocatesNothingAfterWarmUp()
    {
        var net = new MobileNetV2(MobileNetV2Spec.Standard(0.35, 3, 2));
        net.Initialize(1);
        var trainer = new Trainer(net, new Sgd(net.Parameters()), new CosineSchedule(0.01f, 100));
        var x = new Tensor(KernelAssert.RandomFloats(4 * 20 * 20 * 3, 1), 4, 20, 20, 3);
        int[] labels = [0, 1, 1, 0];
        // A few steps let the gradient pool's buffers settle at their largest sizes.
        for (int i = 0; i < 8; i++) trainer.Step(x, labels);
        // The training thread's own allocations: the runtime's tiering JIT, which allocates on
        // its own background thread while it recompiles hot methods, is not the engine's garbage.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) trainer.Step(x, labels);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"three training steps allocated {allocated} bytes");
    }
}
