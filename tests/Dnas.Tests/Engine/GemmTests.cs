using Dnas.Engine;
using Dnas.Engine.Kernels;
using Dnas.Engine.Reference;
using Xunit;

namespace Dnas.Tests.Engine;

/// <summary>Fast GEMM kernels against <see cref="GemmReference"/> on every vector path.
/// Everything that forces an ISA lives in this one class (xunit runs a class's tests one at a
/// time), and the switch is always restored; other classes calling Gemm meanwhile still get
/// correct results, just possibly via another path.</summary>
[Collection(IsolatedCollection.Name)]
public sealed class GemmTests
{
    public enum Kind { NT, NN, TN }

    private static readonly int[] Ms = [1, 2, 3, 5, 7, 16, 17, 31, 33, 100, 1153];
    private static readonly int[] Ns = [1, 3, 7, 8, 15, 16, 17, 24, 33, 48, 96];

    /// <summary>0 = auto-detected, then each path forced (512 is emulated where the CPU lacks it).</summary>
    private static readonly int[] Isas = [0, SimdIsa.V512, SimdIsa.V256, SimdIsa.Scalar];

    private static void Fast(Kind kind, float[] a, float[] b, Span<float> c, int m, int n, int k, bool acc)
    {
        switch (kind)
        {
            case Kind.NT: Gemm.MatMulNT(a, b, c, m, n, k, acc); break;
            case Kind.NN: Gemm.MatMulNN(a, b, c, m, n, k, acc); break;
            default: Gemm.MatMulTN(a, b, c, m, n, k, acc); break;
        }
    }

    private static void Reference(Kind kind, float[] a, float[] b, float[] c, int m, int n, int k, bool acc)
    {
        switch (kind)
        {
            case Kind.NT: GemmReference.MatMulNT(a, b, c, m, n, k, acc); break;
            case Kind.NN: GemmReference.MatMulNN(a, b, c, m, n, k, acc); break;
            default: GemmReference.MatMulTN(a, b, c, m, n, k, acc); break;
        }
    }

    private static float[] Random(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static float[] Abs(float[] x) => Array.ConvertAll(x, MathF.Abs);

    /// <summary>Compares every ISA path with the reference on one shape. Tolerance is relative to
    /// Σ|a·b| + |c| per element, i.e. to the size of what was summed, not of the (possibly
    /// cancelled) result. C has guard elements after M·N that must survive untouched.</summary>
    private static void Check(Kind kind, int m, int n, int k, bool acc, int seed)
    {
        var rng = new Random(seed);
        var a = Random(rng, m * k);
        var b = Random(rng, n * k);
        var c0 = Random(rng, m * n);
        var expected = (float[])c0.Clone();
        Reference(kind, a, b, expected, m, n, k, acc);
        var scale = Abs(c0);
        Reference(kind, Abs(a), Abs(b), scale, m, n, k, acc: true);

        const int guard = 19;
        foreach (int isa in Isas)
        {
            var c = new float[m * n + guard];
            c0.CopyTo(c, 0);
            c.AsSpan(m * n).Fill(12345f);
            SimdIsa.Force = isa;
            try { Fast(kind, a, b, c, m, n, k, acc); }
            finally { SimdIsa.Force = 0; }
            for (int i = 0; i < m * n; i++)
            {
                float tol = 1e-5f * scale[i] + 1e-6f;
                if (!(MathF.Abs(c[i] - expected[i]) <= tol))
                    Assert.Fail($"{kind} isa={isa} m={m} n={n} k={k} acc={acc}: C[{i / n},{i % n}] = {c[i]}, expected {expected[i]} (tol {tol})");
            }
            for (int i = m * n; i < c.Length; i++)
                Assert.True(c[i] == 12345f, $"{kind} isa={isa} m={m} n={n} k={k}: wrote past C at {i}");
        }
    }

    [Theory]
    [InlineData(Kind.NT)]
    [InlineData(Kind.NN)]
    [InlineData(Kind.TN)]
    public void MatchesReferenceOnAwkwardSizes(Kind kind)
    {
        int seed = 1;
        foreach (int m in Ms)
            foreach (int n in Ns)
                foreach (int k in Ns)
                {
                    // Both accumulate modes on small M; alternate them on the big ones to bound run time.
                    bool both = m <= 33;
                    bool first = ((m + n + k) & 1) == 0;
                    Check(kind, m, n, k, first, seed++);
                    if (both) Check(kind, m, n, k, !first, seed++);
                }
    }

    /// <summary>Long reductions: K blocking in NT/NN; for TN the per-thread K chunks, the blocks
    /// of rows inside them, and (M over 240) the copied blocks of A.</summary>
    [Theory]
    [InlineData(Kind.NT, 50, 33, 1000)]
    [InlineData(Kind.NN, 50, 33, 1000)]
    [InlineData(Kind.NT, 300, 40, 777)]
    [InlineData(Kind.NN, 97, 130, 400)]
    [InlineData(Kind.TN, 7, 17, 5000)]
    [InlineData(Kind.TN, 24, 40, 20001)]
    [InlineData(Kind.TN, 33, 100, 3001)]
    [InlineData(Kind.TN, 96, 16, 4608)]
    [InlineData(Kind.TN, 1, 1, 999)]
    [InlineData(Kind.TN, 300, 40, 700)]
    [InlineData(Kind.TN, 500, 9, 1000)]
    public void MatchesReferenceOnLongReductions(Kind kind, int m, int n, int k)
    {
        Check(kind, m, n, k, acc: false, seed: m * 7 + n);
        Check(kind, m, n, k, acc: true, seed: m * 11 + k);
    }

    [Theory]
    [InlineData(Kind.NT)]
    [InlineData(Kind.NN)]
    [InlineData(Kind.TN)]
    public void IsBitIdenticalRunToRun(Kind kind)
    {
        foreach (var (m, n, k) in new[] { (4608, 24, 96), (1153, 33, 17), (40, 56, 30000) })
        {
            var rng = new Random(m + n + k);
            var a = Random(rng, m * k);
            var b = Random(rng, n * k);
            var c0 = Random(rng, m * n);
            var first = (float[])c0.Clone();
            var second = (float[])c0.Clone();
            Fast(kind, a, b, first, m, n, k, acc: true);
            Fast(kind, a, b, second, m, n, k, acc: true);
            Assert.Equal(first, second);
        }
    }

    [Fact]
    public void ZeroKClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.MatMulNT([], [], c, 2, 3, 0, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.MatMulTN([], [], c, 2, 3, 0, accumulate: false);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void RejectsShortBuffers()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[3];
        Assert.Throws<ShapeMismatchException>(() => Gemm.MatMulNT(a, b, c, 2, 2, 3));
        Assert.Throws<ShapeMismatchException>(() => Gemm.MatMulNN(a, b.AsSpan(0, 5), new float[4], 2, 2, 3));
        Assert.Throws<ShapeMismatchException>(() => Gemm.MatMulTN(a.AsSpan(0, 5), b, new float[4], 2, 2, 3));
    }

    /// <summary>NT with A read through a batch-norm map equals mapping A first, bit for bit, on
    /// every ISA path and 1-3 threads: K up to one chunk, K split into chunks (385, 960), row tails.</summary>
    [Theory]
    [InlineData(1, 8, 16, true)]
    [InlineData(73, 17, 33, false)]
    [InlineData(1153, 24, 144, true)]
    [InlineData(300, 40, 385, true)]
    [InlineData(517, 160, 960, false)]
    public void MappedANtEqualsMappingFirst(int m, int n, int k, bool relu6)
    {
        var rng = new Random(m * 31 + k);
        var (a, map, mapped) = MappedOperand(rng, m, k, relu6);
        var b = Random(rng, n * k);
        OnEveryPathAndThreadCount(() =>
        {
            var cRef = new float[m * n]; var cMap = Enumerable.Repeat(float.NaN, m * n).ToArray();
            Gemm.MatMulNT(mapped, b, cRef, m, n, k);
            Gemm.MatMulNT(a, b, cMap, m, n, k, map, relu6);
            Assert.Equal(cRef, cMap);
        });
        Assert.Throws<ShapeMismatchException>(() => Gemm.MatMulNT(a, b, new float[m * n], m, n, k, map.AsSpan(1), relu6));
    }

    /// <summary>TN with B read through a batch-norm map equals mapping B first, bit for bit, on
    /// every ISA path and 1-3 threads, over several K blocks and a K split across threads.</summary>
    [Theory]
    [InlineData(8, 16, 1, true)]
    [InlineData(17, 33, 700, false)]
    [InlineData(24, 192, 2048, true)]
    [InlineData(300, 7, 513, true)]
    public void MappedBTnEqualsMappingFirst(int m, int n, int k, bool relu6)
    {
        var rng = new Random(m * 17 + n);
        var a = Random(rng, k * m);
        var (b, map, mapped) = MappedOperand(rng, k, n, relu6);
        var c0 = Random(rng, m * n);
        OnEveryPathAndThreadCount(() =>
        {
            var cRef = (float[])c0.Clone(); var cMap = (float[])c0.Clone();
            Gemm.MatMulTN(a, mapped, cRef, m, n, k, accumulate: true);
            Gemm.MatMulTN(a, b, cMap, m, n, k, accumulate: true, map, relu6);
            Assert.Equal(cRef, cMap);
        });
        Assert.Throws<ShapeMismatchException>(() => Gemm.MatMulTN(a, b, new float[m * n], m, n, k, false, map.AsSpan(1), relu6));
    }

    /// <summary>A raw [rows, cols] operand spread wide enough to hit both ReLU6 bounds, a random
    /// batch-norm map over its columns, and the operand with the map applied.</summary>
    private static (float[] Raw, float[] Map, float[] Mapped) MappedOperand(Random rng, int rows, int cols, bool relu6)
    {
        var raw = Random(rng, rows * cols);
        var map = Random(rng, 2 * cols);
        for (int j = 0; j < raw.Length; j++) raw[j] *= 4f;
        var mapped = new float[raw.Length];
        BatchNorm.ApplyMap(raw, mapped, rows, cols, map, relu6);
        return (raw, map, mapped);
    }

    private static void OnEveryPathAndThreadCount(Action body)
    {
        int threads = Workers.Threads;
        foreach (int isa in Isas)
            foreach (int t in new[] { 1, 2, 3 })
            {
                SimdIsa.Force = isa;
                Workers.Threads = t;
                try { body(); }
                finally { SimdIsa.Force = 0; Workers.Threads = threads; }
            }
    }
}
