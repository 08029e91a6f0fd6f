using System.Diagnostics;
using Dnas.Engine;

namespace Dnas.Bench;

/// <summary>What one engine fusion is worth, measured in one process: training steps alternate
/// between the default engine and the engine with that fusion switched off (on, off, on, off...),
/// so load from other processes hits both sides alike; the medians of the per-step times are
/// compared. One JSON line.</summary>
public static class Ablation
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        double width = args.Double("width", 1.0);
        int res = args.Int("res", 128, min: 8);
        int channels = args.Int("channels", 3, min: 1);
        int batch = args.Int("batch", 32, min: 1);
        int pairs = args.Int("pairs", 30, min: 1);
        int warmup = args.Int("warmup", 8, min: 0);
        string fusion = args.String("fusion", "gather");
        args.Finish();
        Action<bool> set = fusion switch
        {
            "defer" => on => Fusion.DeferOutputs = on,
            "gather" => on => Fusion.GatherGradSums = on,
            _ => throw new BenchUsageException($"--fusion must be defer or gather, got '{fusion}'"),
        };

        var (trainer, images, labels) = TrainThroughput.SyntheticTraining(width, res, channels, batch, 2, 1);

        var on = new double[pairs]; var off = new double[pairs];
        try
        {
            for (int i = 0; i < warmup; i++)
            {
                set(i % 2 == 0);
                trainer.Step(images, labels);
            }
            var sw = new Stopwatch();
            for (int i = 0; i < pairs; i++)
                foreach (bool enabled in i % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    set(enabled);
                    sw.Restart();
                    trainer.Step(images, labels);
                    (enabled ? on : off)[i] = sw.Elapsed.TotalMilliseconds;
                }
        }
        finally { set(true); }
        double mOn = Median(on), mOff = Median(off);
        output.WriteLine(Report.JsonLine(
        [
            ("fusion", fusion), ("width", width), ("res", res), ("channels", channels), ("batch", batch), ("pairs", pairs),
            ("step_ms_on", Math.Round(mOn, 2)), ("step_ms_off", Math.Round(mOff, 2)), ("speedup", Math.Round(mOff / mOn, 3)),
        ]));
        return 0;
    }

    private static double Median(double[] v)
    {
        var s = (double[])v.Clone();
        Array.Sort(s);
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
