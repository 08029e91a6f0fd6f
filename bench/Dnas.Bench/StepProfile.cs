using System.Diagnostics;
using Dnas.Engine;
using Dnas.Engine.Layers;
using Dnas.Engine.Models;

namespace Dnas.Bench;

/// <summary>Where a training step's time goes: every conv+BN layer's forward and backward timed
/// on its own (same shapes as in the step), summed by kind, with the achieved GFLOP/s of the
/// convolution part. One JSON line per kind and a total.</summary>
public static class StepProfile
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        double width = args.Double("width", 0.35);
        int res = args.Int("res", 96, min: 1);
        int channels = args.Int("channels", 3, min: 1);
        int batch = args.Int("batch", 32, min: 1);
        int reps = args.Int("reps", 10, min: 1);
        bool perLayer = args.Int("per-layer", 0, min: 0) != 0;
        args.Finish();

        var model = new MobileNetV2(MobileNetV2Spec.Standard(width, channels, 2));
        model.Initialize(1);
        var rng = new Rng(3);
        var x = new Tensor(batch, res, res, channels);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)rng.NextGaussian();
        model.Forward(x, training: true); // every layer now holds its input and output shapes

        var kinds = new Dictionary<string, (double Fwd, double Bwd, double Macs)>();
        var bn = new Dictionary<string, (double Fwd, double Bwd)>();
        var dy = new Tensor(0); var dx = new Tensor(0);
        var layers = model.ConvLayers().ToArray();
        for (int li = 0; li < layers.Length; li++)
        {
            var l = layers[li];
            var input = l.Input!;
            string kind = l.Kind switch
            {
                ConvKind.Full => "stem",
                ConvKind.Depthwise => "depthwise",
                _ when li == layers.Length - 1 => "head-1x1",
                _ when l.Relu6 => "expand-1x1",
                _ => "project-1x1",
            };
            // Time each layer as the step runs it: a deferred layer stops at Z and the map, and a
            // layer after one reads through that map (the producer stays deferred meanwhile).
            var source = l.InputSource;
            bool deferred = l.OutputDeferred;
            var y = l.OutputShape.ToArray();
            long macs = (long)y[0] * y[1] * y[2] * y[3] * l.Kernel * l.Kernel * (l.Kind == ConvKind.Depthwise ? 1 : l.InChannels);
            double fwd = Time(reps, () =>
            {
                if (source != null && deferred) l.ForwardDeferred(source, training: true);
                else if (source != null) l.Forward(source, training: true);
                else if (deferred) l.ForwardDeferred(input, training: true);
                else l.Forward(input, training: true);
            });
            dy.Reshape4(y[0], y[1], y[2], y[3]);
            // Backward may overwrite dY, so every repetition restores it from a copy; the copy's
            // own time is measured alone and subtracted.
            var dySaved = new float[dy.Length];
            for (int i = 0; i < dySaved.Length; i++) dySaved[i] = 1e-3f * (i % 7);
            double restore = Time(reps, () => dySaved.AsSpan().CopyTo(dy.Span));
            double bwd = Time(reps, () =>
            {
                dySaved.AsSpan().CopyTo(dy.Span);
                l.Backward(dy, l.Kind == ConvKind.Full ? null : dx);
            }) - restore;
            kinds.TryGetValue(kind, out var acc);
            kinds[kind] = (acc.Fwd + fwd, acc.Bwd + bwd, acc.Macs + macs);
            // The batch norm (+ReLU6) part alone, on the same shapes (statistics only when deferred).
            int p = y[0] * y[1] * y[2], c = y[3];
            var z = new float[p * c]; var yy = new float[p * c]; var g = new float[p * c];
            for (int i = 0; i < z.Length; i++) { z[i] = (float)rng.NextGaussian(); g[i] = 1e-3f * (i % 5); }
            var ss = new float[2 * c]; var st = new float[c]; var st2 = new float[c]; var rm = new float[c]; var rv = new float[c]; var gam = new float[c]; var bet = new float[c];
            Array.Fill(gam, 1f);
            double bnF = Time(reps, () => Dnas.Engine.Kernels.BatchNorm.ForwardTrain(z, deferred ? Span<float>.Empty : yy, p, c, gam, bet, st, st2, rm, rv, 0.1f, 1e-5f, l.Relu6, ss));
            double bnB = Time(reps, () => Dnas.Engine.Kernels.BatchNorm.Backward(g, z, ss, g, p, c, gam, st, st2, rm, rv, l.Relu6));
            if (perLayer)
                output.WriteLine(FormattableString.Invariant(
                    $"{{\"layer\":{li},\"kind\":\"{kind}\",\"in\":\"{input}\",\"out\":\"Tensor[{string.Join(",", y)}]\",\"k\":{l.Kernel},\"s\":{l.Stride},\"fwd_ms\":{fwd * 1e3:F3},\"bwd_ms\":{bwd * 1e3:F3},\"bn_fwd_ms\":{bnF * 1e3:F3},\"bn_bwd_ms\":{bnB * 1e3:F3}}}"));
            bn.TryGetValue(kind, out var b);
            bn[kind] = (b.Fwd + bnF, b.Bwd + bnB);
        }
        double total = 0;
        foreach (var (kind, (fwd, bwd, macs)) in kinds.OrderByDescending(k => k.Value.Fwd + k.Value.Bwd))
        {
            total += fwd + bwd;
            output.WriteLine(FormattableString.Invariant(
                $"{{\"kind\":\"{kind}\",\"fwd_ms\":{fwd * 1e3:F2},\"bwd_ms\":{bwd * 1e3:F2},\"bn_fwd_ms\":{bn[kind].Fwd * 1e3:F2},\"bn_bwd_ms\":{bn[kind].Bwd * 1e3:F2},\"conv_gflops\":{6 * macs / (fwd + bwd - bn[kind].Fwd - bn[kind].Bwd) / 1e9:F1}}}"));
        }
        output.WriteLine(FormattableString.Invariant($"{{\"kind\":\"total-conv-bn\",\"ms\":{total * 1e3:F2},\"img_s_bound\":{batch / total:F0}}}"));
        return 0;
    }

    private static double Time(int reps, Action a)
    {
        for (int i = 0; i < 40; i++) a(); // past the JIT's tier-0 and on-stack-replacement code
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) a();
        return sw.Elapsed.TotalSeconds / reps;
    }
}
