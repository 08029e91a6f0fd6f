using System.Diagnostics;
using System.Globalization;
using Dnas.Engine;
using Dnas.Engine.Kernels;

namespace Dnas.Bench;

/// <summary>GFLOP/s of the three GEMM kernels on the shapes MobileNetV2 training produces,
/// plus a 1024³ square for scale. One JSON line per kernel and shape:
/// {"kernel":"gemm_nt","m":..,"n":..,"k":..,"gflops":..,"gflops_best":..,"threads":..,"isa":..}
/// gflops is the median over timed rounds, gflops_best the fastest round.</summary>
public static class GemmBench
{
    /// <summary>1x1 convolutions as (pixels = batch·H·W, in channels, out channels).</summary>
    private static readonly (int P, int I, int O)[] Layers =
    [
        (18432, 16, 96),   // expand, 32 × 24×24
        (4608, 96, 24),    // project, 32 × 12×12
        (1152, 192, 32),   // project, 32 × 6×6
        (288, 112, 336),   // expand, 32 × 3×3
        (73728, 8, 48),    // expand at the first block, 32 × 48×48 (K below 16)
        (18432, 48, 16),   // project, 32 × 24×24
        (4608, 24, 144),   // expand, 32 × 12×12
        (1152, 56, 336),   // expand, width 1.0
        (288, 576, 96),    // project, width 1.0
    ];

    private const int Rounds = 7;
    private const double RoundSeconds = 0.06;

    public static void Run(TextWriter output)
    {
        foreach (var (p, i, o) in Layers)
        {
            // Forward y = x·Wᵀ, input gradient dx = dy·W, weight gradient dW = dyᵀ·x.
            Time(output, "gemm_nt", p, o, i);
            Time(output, "gemm_nn", p, i, o);
            Time(output, "gemm_tn", o, i, p);
        }
        foreach (var kernel in new[] { "gemm_nt", "gemm_nn", "gemm_tn" })
            Time(output, kernel, 1024, 1024, 1024);
    }

    private static void Call(string kernel, float[] a, float[] b, float[] c, int m, int n, int k)
    {
        switch (kernel)
        {
            case "gemm_nt": Gemm.MatMulNT(a, b, c, m, n, k); break;
            case "gemm_nn": Gemm.MatMulNN(a, b, c, m, n, k); break;
            default: Gemm.MatMulTN(a, b, c, m, n, k); break;
        }
    }

    private static void Time(TextWriter output, string kernel, int m, int n, int k)
    {
        var rng = new Random(42);
        var a = new float[m * k];
        var b = new float[n * k];
        var c = new float[m * n];
        for (int x = 0; x < a.Length; x++) a[x] = (float)rng.NextDouble() - 0.5f;
        for (int x = 0; x < b.Length; x++) b[x] = (float)rng.NextDouble() - 0.5f;

        // Warm up (tiered JIT, caches, worker threads) and size a round to about RoundSeconds.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.25 || calls < 3) { Call(kernel, a, b, c, m, n, k); calls++; }
        int perRound = Math.Max(1, (int)(calls * RoundSeconds / sw.Elapsed.TotalSeconds));

        double flops = 2.0 * m * n * k;
        var rates = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            sw.Restart();
            for (int x = 0; x < perRound; x++) Call(kernel, a, b, c, m, n, k);
            rates[r] = flops * perRound / sw.Elapsed.TotalSeconds / 1e9;
        }
        Array.Sort(rates);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"{{\"kernel\":\"{kernel}\",\"m\":{m},\"n\":{n},\"k\":{k},\"gflops\":{rates[Rounds / 2]:F1},\"gflops_best\":{rates[^1]:F1},\"threads\":{Workers.Threads},\"isa\":{SimdIsa.Current}}}"));
        output.Flush();
    }
}
