using System.Diagnostics;
using System.Globalization;
using Dnas.Engine;
using Dnas.Engine.Kernels;

namespace Dnas.Bench;

/// <summary>Times the depthwise kernels on MobileNetV2-like layer shapes (batch 32) and prints one
/// JSON line per kernel and shape. Depthwise does few FLOPs per byte, so both the arithmetic rate
/// and the memory traffic (each tensor read or written once) are reported.</summary>
public static class DepthwiseBench
{
    private static readonly (int N, int H, int W, int C, int K, int S)[] Shapes =
    [
        (32, 48, 48, 16, 3, 1),
        (32, 48, 48, 48, 3, 2),
        (32, 24, 24, 72, 3, 1),
        (32, 12, 12, 144, 5, 1),
        (32, 6, 6, 336, 7, 1),
        (32, 3, 3, 576, 3, 1),
    ];

    public static void Run(TextWriter output)
    {
        foreach (var (n, h, w, c, k, s) in Shapes)
        {
            int oh = Padding.SameOutput(h, s), ow = Padding.SameOutput(w, s);
            long inSize = (long)n * h * w * c, outSize = (long)n * oh * ow * c, wSize = (long)k * k * c;
            var x = Fill(inSize, 1);
            var wt = Fill(wSize, 2);
            var y = new float[outSize];
            var dy = Fill(outSize, 3);
            var dx = new float[inSize];
            var dw = new float[wSize];
            double flops = 2.0 * outSize * k * k;

            double t = Time(() => Depthwise.Forward(x, wt, y, n, h, w, c, k, s));
            Report(output, "dw_fwd", n, h, w, c, k, s, flops, 4.0 * (inSize + wSize + outSize), t);
            t = Time(() => Depthwise.BackwardInput(dy, wt, dx, n, h, w, c, k, s));
            Report(output, "dw_bwd_input", n, h, w, c, k, s, flops, 4.0 * (outSize + wSize + inSize), t);
            t = Time(() => Depthwise.BackwardWeight(dy, x, dw, n, h, w, c, k, s));
            Report(output, "dw_bwd_weight", n, h, w, c, k, s, flops, 4.0 * (outSize + inSize + wSize), t);
        }
    }

    /// <summary>Seconds per call: warm up long enough for tiered JIT to settle, then the median of
    /// several samples, each long enough to swamp timer resolution and dispatch jitter.</summary>
    private static double Time(Action call)
    {
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 50 || sw.ElapsedMilliseconds < 500) { call(); calls++; }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int reps = (int)Math.Clamp(0.05 / perCall, 1, 1_000_000);
        var samples = new double[9];
        for (int i = 0; i < samples.Length; i++)
        {
            sw.Restart();
            for (int r = 0; r < reps; r++) call();
            samples[i] = sw.Elapsed.TotalSeconds / reps;
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    private static void Report(TextWriter output, string kernel, int n, int h, int w, int c, int k, int s, double flops, double bytes, double seconds)
    {
        var ci = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(ci,
            $"{{\"kernel\":\"{kernel}\",\"n\":{n},\"h\":{h},\"w\":{w},\"c\":{c},\"k\":{k},\"stride\":{s}," +
            $"\"gflops\":{flops / seconds / 1e9:F2},\"gbps\":{bytes / seconds / 1e9:F2}}}"));
        output.Flush();
    }

    private static float[] Fill(long length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (long i = 0; i < length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }
}
