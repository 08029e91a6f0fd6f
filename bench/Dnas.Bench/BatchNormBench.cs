using System.Diagnostics;
using Dnas.Engine;
using Dnas.Engine.Kernels;

namespace Dnas.Bench;

/// <summary>Batch norm (+ReLU6) forward (training) and backward on MobileNetV2's activation shapes.
/// Memory-bound, so GB/s is the figure of merit; GFLOP/s counts the arithmetic per element
/// (forward: 2 for statistics + 2 for the affine map; backward: 4 for the sums + 5 for dx).</summary>
public static class BatchNormBench
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        args.Finish();
        // MobileNetV2-0.35 at 96x96 and (the last three, larger than the caches) 1.0 at 128x128.
        var shapes = new (int P, int C)[]
        {
            (32 * 48 * 48, 16), (32 * 48 * 48, 48), (32 * 24 * 24, 144), (32 * 12 * 12, 192), (32 * 3 * 3, 1280),
            (32 * 64 * 64, 32), (32 * 64 * 64, 96), (32 * 32 * 32, 144),
        };
        var rng = new Rng(5);
        foreach (var (p, c) in shapes)
        {
            var x = new float[p * c]; var y = new float[p * c]; var g = new float[p * c];
            for (int i = 0; i < x.Length; i++) { x[i] = (float)rng.NextGaussian(); g[i] = (float)rng.NextGaussian(); }
            var gamma = new float[c]; Array.Fill(gamma, 1f);
            var beta = new float[c]; var mean = new float[c]; var inv = new float[c]; var rm = new float[c]; var rv = new float[c];
            var ss = new float[2 * c]; var dg = new float[c]; var db = new float[c];
            double fwd = Median(() => BatchNorm.ForwardTrain(x, y, p, c, gamma, beta, mean, inv, rm, rv, 0.1f, 1e-5f, true, ss));
            double bwd = Median(() => BatchNorm.Backward(g, x, ss, y, p, c, gamma, mean, inv, dg, db, true));
            var coef = new float[3 * c];
            double sums = Median(() => BatchNorm.BackwardCoefficients(g, x, ss, p, c, gamma, mean, inv, dg, db, true, coef));
            double n = (double)p * c;
            // Bytes: forward reads x twice (statistics, affine) and writes y; backward reads dy and x twice and writes dx.
            output.WriteLine(FormattableString.Invariant(
                $"{{\"kernel\":\"bn_relu6_fwd\",\"p\":{p},\"c\":{c},\"ms\":{fwd * 1e3:F3},\"gflops\":{4 * n / fwd / 1e9:F1},\"gbps\":{12 * n / fwd / 1e9:F1}}}"));
            output.WriteLine(FormattableString.Invariant(
                $"{{\"kernel\":\"bn_relu6_bwd\",\"p\":{p},\"c\":{c},\"ms\":{bwd * 1e3:F3},\"gflops\":{9 * n / bwd / 1e9:F1},\"gbps\":{20 * n / bwd / 1e9:F1}}}"));
            // The backward's first half alone: one read of dy and x.
            output.WriteLine(FormattableString.Invariant(
                $"{{\"kernel\":\"bn_relu6_bwd_sums\",\"p\":{p},\"c\":{c},\"ms\":{sums * 1e3:F3},\"gbps\":{8 * n / sums / 1e9:F1}}}"));
        }
        return 0;
    }

    private static double Median(Action a)
    {
        for (int i = 0; i < 20; i++) a();
        var t = new double[15];
        for (int r = 0; r < t.Length; r++)
        {
            var sw = Stopwatch.StartNew();
            a(); a();
            t[r] = sw.Elapsed.TotalSeconds / 2;
        }
        Array.Sort(t);
        return t[t.Length / 2];
    }
}
