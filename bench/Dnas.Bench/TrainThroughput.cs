using System.Diagnostics;
using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;

namespace Dnas.Bench;

/// <summary>Training and inference throughput of the engine's MobileNetV2 on one synthetic batch,
/// the twin of bench/pytorch/throughput.py. Warm-up steps first (JIT tiering, buffer growth),
/// then timed steps; peak RSS at the end. Prints one JSON line.</summary>
public static class TrainThroughput
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        double width = args.Double("width", 0.35);
        int res = args.Int("res", 96, min: 1);
        int channels = args.Int("channels", 3, min: 1);
        int batch = args.Int("batch", 32, min: 1);
        int classes = args.Int("classes", 2, min: 1);
        int threads = args.Int("threads", 2, min: 1);
        int warmup = args.Int("warmup", 3, min: 0);
        int steps = args.Int("steps", 10, min: 1);
        int inferWarmup = args.Int("infer-warmup", 2, min: 0);
        int inferSteps = args.Int("infer-steps", 10, min: 1);
        ulong seed = (ulong)args.Int("seed", 1, min: 0);
        args.Finish();

        Workers.Threads = threads;
        var (trainer, images, labels) = SyntheticTraining(width, res, channels, batch, classes, seed);
        var model = trainer.Model;

        Console.Error.WriteLine($"dnas train-throughput: MobileNetV2 {width} @ {res}x{res}x{channels}, batch {batch}, {threads} threads, " +
                                $"{model.Spec.Macs(res, res) / 1e6:F1} MMAC/image; {warmup}+{steps} training steps, {inferWarmup}+{inferSteps} inference passes");

        float loss = 0;
        for (int i = 0; i < warmup; i++) loss = trainer.Step(images, labels);
        GC.Collect();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) loss = trainer.Step(images, labels);
        double trainSeconds = sw.Elapsed.TotalSeconds;
        if (!float.IsFinite(loss)) Console.Error.WriteLine($"dnas train-throughput: warning: the loss is {loss}");

        for (int i = 0; i < inferWarmup; i++) model.Forward(images, training: false);
        sw.Restart();
        for (int i = 0; i < inferSteps; i++) model.Forward(images, training: false);
        double inferSeconds = sw.Elapsed.TotalSeconds;

        output.WriteLine(Report.JsonLine(
        [
            ("impl", "dnas"), ("width", width), ("res", res), ("channels", channels), ("batch", batch),
            ("threads", threads), ("steps", steps), ("infer_steps", inferSteps),
            ("train_img_s", steps * (double)batch / trainSeconds),
            ("infer_img_s", inferSteps * (double)batch / inferSeconds),
            ("peak_rss_mb", Report.PeakRssMb()),
        ]));
        return 0;
    }

    /// <summary>A freshly initialised MobileNetV2 with its SGD trainer and one batch of Gaussian
    /// images with random labels: the synthetic workload every throughput benchmark trains on.</summary>
    internal static (Trainer Trainer, Tensor Images, int[] Labels) SyntheticTraining(double width, int res, int channels, int batch, int classes, ulong seed)
    {
        var model = new MobileNetV2(MobileNetV2Spec.Standard(width, channels, classes));
        model.Initialize(seed);
        var optimizer = new Sgd(model.Parameters(), momentum: 0.9f, weightDecay: 4e-5f);
        // A long, flat-ish schedule at a small rate keeps random-data training numerically tame.
        var trainer = new Trainer(model, optimizer, new CosineSchedule(0.01f, 1_000_000));
        var rng = new Rng(seed + 17);
        var images = new Tensor(batch, res, res, channels);
        var pixels = images.Span;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)rng.NextGaussian();
        var labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(classes);
        return (trainer, images, labels);
    }
}
