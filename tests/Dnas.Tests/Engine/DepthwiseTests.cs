using Dnas.Engine;
using Dnas.Engine.Kernels;
using Dnas.Engine.Reference;
using Xunit;

namespace Dnas.Tests.Engine;

/// <summary>Fast depthwise kernels against <see cref="DepthwiseReference"/>. Everything lives in
/// this one class because some tests flip <see cref="Depthwise.ForceIsa"/>: xunit runs the tests
/// of a class one after another, so no other depthwise test sees the switch mid-run.</summary>
[Collection(IsolatedCollection.Name)]
public class DepthwiseTests
{
    private static readonly int[] Channels = [1, 3, 7, 8, 15, 16, 17, 33];
    private static readonly int[] Spatial = [1, 2, 3, 5, 7, 8, 13];
    private static readonly int[] Batches = [1, 3];

    // 0 = widest available, 256/128 = capped vector width, 1 = scalar.
    public static TheoryData<int, int, int> Configs()
    {
        var d = new TheoryData<int, int, int>();
        foreach (int isa in new[] { 0, 256, 128, 1 })
            foreach (int k in new[] { 3, 5, 7 })
                foreach (int s in new[] { 1, 2 })
                    d.Add(isa, k, s);
        return d;
    }

    private enum Kind { Forward, BackwardInput, BackwardWeight }

    [Theory]
    [MemberData(nameof(Configs))]
    public void ForwardMatchesReference(int isa, int k, int stride) => Sweep(Kind.Forward, isa, k, stride);

    [Theory]
    [MemberData(nameof(Configs))]
    public void BackwardInputMatchesReference(int isa, int k, int stride) => Sweep(Kind.BackwardInput, isa, k, stride);

    [Theory]
    [MemberData(nameof(Configs))]
    public void BackwardWeightMatchesReference(int isa, int k, int stride) => Sweep(Kind.BackwardWeight, isa, k, stride);

    private static void Sweep(Kind kind, int isa, int k, int stride)
    {
        WithIsa(isa, () =>
        {
            int seed = 1000 * k + 100 * stride + (int)kind;
            foreach (int n in Batches)
                foreach (int h in Spatial)
                    foreach (int w in Spatial)
                        foreach (int c in Channels)
                            Check(kind, n, h, w, c, k, stride, seed++);
        });
    }

    // Shapes big enough that every kernel splits its rows (and the weight gradient its partials)
    // across threads, including MobileNetV2-like channel counts that are not multiples of 16.
    [Theory]
    [InlineData(0, 4, 28, 28, 40, 3, 2)]
    [InlineData(0, 2, 24, 17, 72, 3, 1)]
    [InlineData(0, 3, 14, 14, 168, 5, 1)]
    [InlineData(0, 5, 7, 9, 336, 7, 1)]
    [InlineData(0, 8, 4, 3, 576, 3, 2)]
    [InlineData(0, 2, 3, 3, 960, 3, 1)]
    [InlineData(0, 1, 29, 31, 24, 7, 2)]
    [InlineData(256, 2, 24, 17, 72, 3, 1)]
    [InlineData(128, 4, 28, 28, 40, 3, 2)]
    [InlineData(1, 3, 14, 14, 168, 5, 1)]
    public void LargerShapesMatchReference(int isa, int n, int h, int w, int c, int k, int stride)
    {
        WithIsa(isa, () =>
        {
            Check(Kind.Forward, n, h, w, c, k, stride, 7);
            Check(Kind.BackwardInput, n, h, w, c, k, stride, 8);
            Check(Kind.BackwardWeight, n, h, w, c, k, stride, 9);
        });
    }

    public static TheoryData<int, int, int, int, int, int, int> FusedShapes()
    {
        var d = new TheoryData<int, int, int, int, int, int, int>();
        // isa, n, h, w, c, k, stride: small images (many bands per part), MobileNetV2-like
        // layers big enough to split across threads and into several bands, odd sizes.
        foreach (int isa in new[] { 0, 256, 1 })
        {
            d.Add(isa, 3, 5, 6, 17, 3, 2);
            d.Add(isa, 2, 13, 7, 8, 3, 1);
            d.Add(isa, 4, 33, 31, 40, 5, 1);
        }
        d.Add(0, 8, 32, 32, 144, 3, 1);
        d.Add(0, 8, 32, 32, 96, 3, 2);
        d.Add(0, 6, 15, 17, 33, 7, 2);
        d.Add(0, 2, 64, 64, 32, 3, 1);
        d.Add(0, 1, 1, 1, 16, 3, 1);
        return d;
    }

    /// <summary>The banded BN + depthwise backward gives exactly the bits of the unfused calls
    /// (BN backward, then weight and input gradients), with 1, 2, 3 and 5 threads so that input
    /// rows straddle part boundaries in every way, with and without the ReLU6 mask and dX.</summary>
    [Theory]
    [MemberData(nameof(FusedShapes))]
    public void FusedBackwardEqualsUnfused(int isa, int n, int h, int w, int c, int k, int stride)
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(w, stride);
        int p = n * oh * ow;
        var x = Random(n * h * w * c, 11); var wt = Random(k * k * c, 12);
        var z = KernelAssert.RandomFloats(p * c, 13, -2f, 4f); var dy = Random(p * c, 14);
        var gamma = KernelAssert.RandomFloats(c, 15, 0.5f, 1.5f); var beta = Random(c, 16);
        int threads = Workers.Threads;
        WithIsa(isa, () =>
        {
            foreach (bool relu6 in new[] { true, false })
                foreach (int t in new[] { 1, 2, 3, 5 })
                {
                    Workers.Threads = t;
                    try
                    {
                        var mean = new float[c]; var inv = new float[c]; var ss = new float[2 * c];
                        BatchNorm.ForwardTrain(z, new float[p * c], p, c, gamma, beta, mean, inv, new float[c], new float[c], 0.1f, 1e-5f, relu6, ss);

                        var dzRef = (float[])dy.Clone(); var dwRef = new float[k * k * c]; var dxRef = new float[n * h * w * c];
                        BatchNorm.Backward(dzRef, z, ss, dzRef, p, c, gamma, mean, inv, new float[c], new float[c], relu6);
                        Depthwise.BackwardWeight(dzRef, x, dwRef, n, h, w, c, k, stride);
                        Depthwise.BackwardInput(dzRef, wt, dxRef, n, h, w, c, k, stride);

                        var coef = new float[3 * c];
                        var dz = (float[])dy.Clone();
                        BatchNorm.BackwardCoefficients(dz, z, ss, p, c, gamma, mean, inv, new float[c], new float[c], relu6, coef);
                        var dwF = Enumerable.Repeat(float.NaN, k * k * c).ToArray();
                        var dxF = Enumerable.Repeat(float.NaN, n * h * w * c).ToArray();
                        Depthwise.BackwardFused(dz, z, ss, mean, coef, relu6, x, wt, dwF, dxF, n, h, w, c, k, stride);
                        Assert.Equal(dzRef, dz);
                        Assert.Equal(dwRef, dwF);
                        Assert.Equal(dxRef, dxF);

                        var dzNoDx = (float[])dy.Clone(); var dwNoDx = new float[k * k * c];
                        Depthwise.BackwardFused(dzNoDx, z, ss, mean, coef, relu6, x, wt, dwNoDx, default, n, h, w, c, k, stride);
                        Assert.Equal(dzRef, dzNoDx);
                        Assert.Equal(dwRef, dwNoDx);
                    }
                    finally { Workers.Threads = threads; }
                }
        });
    }

    /// <summary>An input read through a batch-norm map (a deferred output: staged band by band)
    /// gives exactly the bits of mapping the whole input first, forward and fused backward, with
    /// 1, 2, 3 and 5 threads, with and without ReLU6 on the map. The larger shapes stage several
    /// bands per image, so band edges fall inside images and on image ends.</summary>
    [Theory]
    [MemberData(nameof(FusedShapes))]
    public void MappedInputEqualsMappingFirst(int isa, int n, int h, int w, int c, int k, int stride)
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(w, stride);
        int p = n * oh * ow;
        var zIn = KernelAssert.RandomFloats(n * h * w * c, 21, -2f, 4f);
        var map = KernelAssert.RandomFloats(2 * c, 22, -1.5f, 1.5f);
        var wt = Random(k * k * c, 23);
        var dy = Random(p * c, 25);
        var bn = new BnFixture(p, c, 24, relu6: true, dy);
        int threads = Workers.Threads;
        WithIsa(isa, () =>
        {
            foreach (bool relu6 in new[] { true, false })
            {
                var x = new float[zIn.Length];
                BatchNorm.ApplyMap(zIn, x, n * h * w, c, map, relu6);
                foreach (int t in new[] { 1, 2, 3, 5 })
                {
                    Workers.Threads = t;
                    try
                    {
                        var yRef = new float[p * c]; var yMap = Enumerable.Repeat(float.NaN, p * c).ToArray();
                        Depthwise.Forward(x, wt, yRef, n, h, w, c, k, stride);
                        Depthwise.Forward(zIn, wt, yMap, n, h, w, c, k, stride, map, relu6);
                        Assert.Equal(yRef, yMap);

                        var dzRef = (float[])dy.Clone(); var dwRef = new float[k * k * c]; var dxRef = new float[n * h * w * c];
                        Depthwise.BackwardFused(dzRef, bn.Z, bn.ScaleShift, bn.Mean, bn.Coef, true, x, wt, dwRef, dxRef, n, h, w, c, k, stride);
                        var dz = (float[])dy.Clone(); var dwM = new float[k * k * c]; var dxM = new float[n * h * w * c];
                        Depthwise.BackwardFused(dz, bn.Z, bn.ScaleShift, bn.Mean, bn.Coef, true, zIn, wt, dwM, dxM, n, h, w, c, k, stride, map, relu6);
                        Assert.Equal(dzRef, dz);
                        Assert.Equal(dwRef, dwM);
                        Assert.Equal(dxRef, dxM);
                    }
                    finally { Workers.Threads = threads; }
                }
            }
        });
        Assert.Throws<ShapeMismatchException>(() => Depthwise.Forward(zIn, wt, new float[p * c], n, h, w, c, k, stride, map.AsSpan(1), true));
    }

    /// <summary>The previous layer's batch-norm sums gathered while the fused backward writes dX
    /// (by each part, and after the join for rows between parts) match a separate pass over dX,
    /// with 1, 2, 3 and 5 threads.</summary>
    [Theory]
    [MemberData(nameof(FusedShapes))]
    public void GatheredSumsMatchASeparatePass(int isa, int n, int h, int w, int c, int k, int stride)
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(w, stride);
        int p = n * oh * ow, pIn = n * h * w;
        var x = Random(pIn * c, 31); var wt = Random(k * k * c, 32);
        var dy = Random(p * c, 34);
        var bn = new BnFixture(p, c, 33, relu6: true, dy);
        var owner = new BnFixture(pIn, c, 37, relu6: true); // the batch norm whose dY is this dX
        int threads = Workers.Threads;
        WithIsa(isa, () =>
        {
            foreach (int t in new[] { 1, 2, 3, 5 })
            {
                Workers.Threads = t;
                try
                {
                    var dx = new float[pIn * c];
                    var partials = owner.NewPartials();
                    Depthwise.BackwardFused((float[])dy.Clone(), bn.Z, bn.ScaleShift, bn.Mean, bn.Coef, true, x, wt, new float[k * k * c], dx,
                        n, h, w, c, k, stride, dxSums: owner.Request(partials));
                    owner.AssertSameCoefficients(dx, partials);
                }
                finally { Workers.Threads = threads; }
            }
        });
    }

    [Fact]
    public void RepeatedCallsAreBitIdentical()
    {
        const int n = 6, h = 19, w = 21, c = 40, k = 5;
        foreach (int stride in new[] { 1, 2 })
        {
            int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(w, stride);
            var x = Random(n * h * w * c, 1);
            var wt = Random(k * k * c, 2);
            var dy = Random(n * oh * ow * c, 3);
            var first = new float[3][];
            for (int run = 0; run < 4; run++)
            {
                var y = new float[n * oh * ow * c];
                var dx = new float[n * h * w * c];
                var dw = new float[k * k * c];
                Depthwise.Forward(x, wt, y, n, h, w, c, k, stride);
                Depthwise.BackwardInput(dy, wt, dx, n, h, w, c, k, stride);
                Depthwise.BackwardWeight(dy, x, dw, n, h, w, c, k, stride);
                if (run == 0) { first = [y, dx, dw]; continue; }
                Assert.Equal(first[0], y);
                Assert.Equal(first[1], dx);
                Assert.Equal(first[2], dw);
            }
        }
    }

    [Fact]
    public void SteadyStateCallsDoNotAllocate()
    {
        const int n = 4, h = 14, w = 14, c = 72, k = 3, stride = 1;
        var x = Random(n * h * w * c, 1);
        var wt = Random(k * k * c, 2);
        var dy = Random(n * h * w * c, 3);
        var y = new float[n * h * w * c];
        var dx = new float[n * h * w * c];
        var dw = new float[k * k * c];
        void Step()
        {
            Depthwise.Forward(x, wt, y, n, h, w, c, k, stride);
            Depthwise.BackwardInput(dy, wt, dx, n, h, w, c, k, stride);
            Depthwise.BackwardWeight(dy, x, dw, n, h, w, c, k, stride);
        }
        Step(); // grows the weight-gradient scratch once
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OverwritesOutputsAndLeavesTheRestAlone()
    {
        const int n = 2, h = 5, w = 6, c = 17, k = 3, stride = 2;
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(w, stride);
        var x = Random(n * h * w * c, 4);
        var wt = Random(k * k * c, 5);
        var dy = Random(n * oh * ow * c, 6);
        // One spare element past each output: stale values before must vanish, the spare must survive.
        var dx = Enumerable.Repeat(float.NaN, n * h * w * c + 1).ToArray();
        var dw = Enumerable.Repeat(float.NaN, k * k * c + 1).ToArray();
        var y = Enumerable.Repeat(float.NaN, n * oh * ow * c + 1).ToArray();
        Depthwise.Forward(x, wt, y, n, h, w, c, k, stride);
        Depthwise.BackwardInput(dy, wt, dx, n, h, w, c, k, stride);
        Depthwise.BackwardWeight(dy, x, dw, n, h, w, c, k, stride);
        Assert.All(y[..^1], v => Assert.False(float.IsNaN(v)));
        Assert.All(dx[..^1], v => Assert.False(float.IsNaN(v)));
        Assert.All(dw[..^1], v => Assert.False(float.IsNaN(v)));
        Assert.True(float.IsNaN(y[^1]) && float.IsNaN(dx[^1]) && float.IsNaN(dw[^1]));
    }

    [Fact]
    public void RejectsShortBuffersAndUnsupportedStride()
    {
        var x = new float[2 * 4 * 4 * 3];
        var w = new float[3 * 3 * 3];
        var y = new float[2 * 2 * 2 * 3];
        Assert.Throws<ShapeMismatchException>(() => Depthwise.Forward(x, w, y.AsSpan(1), 2, 4, 4, 3, 3, 2));
        Assert.Throws<ShapeMismatchException>(() => Depthwise.BackwardInput(y, w, x.AsSpan(1), 2, 4, 4, 3, 3, 2));
        Assert.Throws<ShapeMismatchException>(() => Depthwise.BackwardWeight(y, x, w.AsSpan(1), 2, 4, 4, 3, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Depthwise.Forward(x, w, y, 2, 4, 4, 3, 3, 3));
    }

    private static void WithIsa(int isa, Action body)
    {
        Depthwise.ForceIsa = isa;
        try { body(); }
        finally { Depthwise.ForceIsa = 0; }
    }

    /// <summary>Runs one fast kernel and its reference. The tolerance is relative to the sum of
    /// |terms| of each output (the reference run on absolute values), which stays meaningful when
    /// terms cancel; fast and reference differ only in fused multiply-adds and summation order.</summary>
    private static void Check(Kind kind, int n, int h, int w, int c, int k, int stride, int seed)
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(w, stride);
        int inSize = n * h * w * c, outSize = n * oh * ow * c, wSize = k * k * c;
        float[] a, b, expected, scale, actual;
        switch (kind)
        {
            case Kind.Forward:
                a = Random(inSize, seed); b = Random(wSize, seed + 1);
                expected = new float[outSize]; scale = new float[outSize];
                actual = Enumerable.Repeat(float.NaN, outSize).ToArray();
                DepthwiseReference.Forward(a, b, expected, n, h, w, c, k, stride);
                DepthwiseReference.Forward(Abs(a), Abs(b), scale, n, h, w, c, k, stride);
                Depthwise.Forward(a, b, actual, n, h, w, c, k, stride);
                break;
            case Kind.BackwardInput:
                a = Random(outSize, seed); b = Random(wSize, seed + 1);
                expected = new float[inSize]; scale = new float[inSize];
                actual = Enumerable.Repeat(float.NaN, inSize).ToArray();
                DepthwiseReference.BackwardInput(a, b, expected, n, h, w, c, k, stride);
                DepthwiseReference.BackwardInput(Abs(a), Abs(b), scale, n, h, w, c, k, stride);
                Depthwise.BackwardInput(a, b, actual, n, h, w, c, k, stride);
                break;
            default:
                a = Random(outSize, seed); b = Random(inSize, seed + 1);
                expected = new float[wSize]; scale = new float[wSize];
                actual = Enumerable.Repeat(float.NaN, wSize).ToArray();
                DepthwiseReference.BackwardWeight(a, b, expected, n, h, w, c, k, stride);
                DepthwiseReference.BackwardWeight(Abs(a), Abs(b), scale, n, h, w, c, k, stride);
                Depthwise.BackwardWeight(a, b, actual, n, h, w, c, k, stride);
                break;
        }
        for (int i = 0; i < expected.Length; i++)
        {
            float tol = 1e-5f * scale[i] + 1e-30f;
            if (!(Math.Abs(actual[i] - expected[i]) <= tol))
                Assert.Fail($"{kind} isa={Depthwise.ForceIsa} n={n} h={h} w={w} c={c} k={k} s={stride}: element {i} " +
                            $"got {actual[i]:R}, expected {expected[i]:R} (tolerance {tol:R})");
        }
    }

    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    private static float[] Abs(float[] a) => a.Select(Math.Abs).ToArray();
}
