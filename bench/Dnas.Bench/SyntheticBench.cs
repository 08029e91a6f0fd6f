using System.Diagnostics;
using Dnas.Data.Synthetic;

namespace Dnas.Bench;

/// <summary>Synthetic scene generation rate at 96x96: images per second on one thread, and on
/// two threads splitting one index range, each thread drawing into its own reused buffer. Prints
/// one JSON line.</summary>
public static class SyntheticBench
{
    private const int Resolution = 96;

    public static void Run(TextWriter output)
    {
        var scenes = new SyntheticScenes(1);
        // Warm up long enough for tiered compilation to reach the optimised code.
        Generate(scenes, 0, 3000);
        double one = Rate(scenes, threads: 1);
        double two = Rate(scenes, threads: 2);
        output.WriteLine(Report.JsonLine(
        [
            ("bench", "synthetic"),
            ("res", Resolution),
            ("img_s_1thread", one),
            ("img_s_2threads", two),
        ], digits: 0));
        output.Flush();
    }

    /// <summary>Images per second, the median of five runs of about half a second each.</summary>
    private static double Rate(SyntheticScenes scenes, int threads)
    {
        long start = 100_000;
        int count = Math.Max(200, (int)(Generate(scenes, start, 300) * 0.5 * threads));
        var samples = new double[5];
        for (int r = 0; r < samples.Length; r++)
        {
            long first = start + (long)(r + 1) * 1_000_000;
            var sw = Stopwatch.StartNew();
            if (threads == 1) Generate(scenes, first, count);
            else
            {
                var workers = new Thread[threads];
                int per = count / threads;
                for (int t = 0; t < threads; t++)
                {
                    long from = first + (long)t * per;
                    workers[t] = new Thread(() => Generate(scenes, from, per));
                    workers[t].Start();
                }
                foreach (var w in workers) w.Join();
                count = per * threads;
            }
            samples[r] = count / sw.Elapsed.TotalSeconds;
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    /// <summary>Draws images [first, first + count) and returns the rate achieved.</summary>
    private static double Generate(SyntheticScenes scenes, long first, int count)
    {
        var buffer = new byte[Resolution * Resolution * 3];
        var sw = Stopwatch.StartNew();
        for (long i = first; i < first + count; i++) scenes.Render(i, Resolution, Resolution, buffer);
        return count / sw.Elapsed.TotalSeconds;
    }
}
