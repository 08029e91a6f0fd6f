using System.Diagnostics;
using Dnas.Data;
using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;

namespace Dnas.Bench;

/// <summary>Trains MobileNetV2 on Fashion-MNIST (28x28 gray, 10 classes) and measures test
/// accuracy, the twin of bench/pytorch/fashion_mnist.py: same hyper-parameters, same
/// learning-rate schedule, seeded shuffling each epoch, no augmentation. Prints one JSON line.</summary>
public static class FashionMnist
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        string data = args.String("data", "/usr/share/datasets/fashion-mnist");
        int epochs = args.Int("epochs", 2, min: 1);
        int limit = args.Int("limit", 0, min: 0);
        int testLimit = args.Int("test-limit", 0, min: 0);
        int batch = args.Int("batch", 64, min: 1);
        int evalBatch = args.Int("eval-batch", 500, min: 1);
        double width = args.Double("width", 0.35);
        float lr = (float)args.Double("lr", 0.02);
        float momentum = (float)args.Double("momentum", 0.9);
        float weightDecay = (float)args.Double("weight-decay", 4e-5);
        double warmupEpochs = args.Double("warmup-epochs", 0.1);
        float mean = (float)args.Double("mean", 0.2860);
        float std = (float)args.Double("std", 0.3530);
        int threads = args.Int("threads", 2, min: 1);
        int seed = args.Int("seed", 1, min: 0);
        int logEvery = args.Int("log-every", 100, min: 1);
        args.Finish();

        var train = IdxDataset.LoadSplit(data, "train");
        var test = IdxDataset.LoadSplit(data, "t10k");
        if (train.Height != test.Height || train.Width != test.Width)
            throw new InvalidOperationException($"train images are {train.Height}x{train.Width} but test images are {test.Height}x{test.Width}");
        int nTrain = limit > 0 ? Math.Min(limit, train.Count) : train.Count;
        int nTest = testLimit > 0 ? Math.Min(testLimit, test.Count) : test.Count;
        int classes = Math.Max(train.Classes, test.Classes);
        int stepsPerEpoch = nTrain / batch; // the last partial batch is dropped, as on the PyTorch side
        if (stepsPerEpoch == 0) throw new ArgumentException($"--limit {nTrain} is smaller than one batch of {batch}");
        long totalSteps = (long)epochs * stepsPerEpoch;
        long warmupSteps = Math.Max(1, (long)Math.Round(warmupEpochs * stepsPerEpoch));

        Workers.Threads = threads;
        var model = new MobileNetV2(MobileNetV2Spec.Standard(width, 1, classes));
        model.Initialize((ulong)seed);
        var optimizer = new Sgd(model.Parameters(), momentum, weightDecay, nesterov: false);
        var schedule = new CosineSchedule(lr, totalSteps, warmupSteps);
        var trainer = new Trainer(model, optimizer, schedule);

        // pixel byte -> normalised float, the same arithmetic as the PyTorch side: (p/255 - mean) / std
        var lut = new float[256];
        for (int i = 0; i < 256; i++) lut[i] = (i / 255f - mean) / std;

        int h = train.Height, w = train.Width, hw = h * w;
        var images = new Tensor(batch, h, w, 1);
        var labels = new int[batch];
        var order = new int[nTrain];

        Console.Error.WriteLine($"dnas fashion-mnist: MobileNetV2 {width} on {nTrain} training / {nTest} test images {h}x{w}, {classes} classes; " +
                                $"{epochs} epochs x {stepsPerEpoch} steps of {batch}, lr {lr} cosine, warm-up {warmupSteps} steps, {threads} threads");
        var sw = Stopwatch.StartNew();
        double lossSum = 0; int lossCount = 0; float lastLoss = float.NaN;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int i = 0; i < nTrain; i++) order[i] = i;
            new Rng((ulong)seed * 1000 + (ulong)epoch).Shuffle(order.AsSpan());
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                var x = images.Span;
                for (int b = 0; b < batch; b++)
                {
                    int idx = order[step * batch + b];
                    var src = train.Image(idx);
                    var dst = x.Slice(b * hw, hw);
                    for (int p = 0; p < hw; p++) dst[p] = lut[src[p]];
                    labels[b] = train.Labels[idx];
                }
                lastLoss = trainer.Step(images, labels);
                if (!float.IsFinite(lastLoss))
                    throw new InvalidOperationException($"the loss became {lastLoss} at epoch {epoch} step {step}");
                lossSum += lastLoss; lossCount++;
                if ((step + 1) % logEvery == 0 || step + 1 == stepsPerEpoch)
                {
                    double done = (double)epoch * stepsPerEpoch + step + 1;
                    Console.Error.WriteLine($"  epoch {epoch + 1} step {step + 1}/{stepsPerEpoch}: mean loss {lossSum / lossCount:F4}, " +
                                            $"lr {schedule.At(trainer.StepIndex - 1):F4}, {done * batch / sw.Elapsed.TotalSeconds:F1} img/s");
                    lossSum = 0; lossCount = 0;
                }
            }
        }
        double trainSeconds = sw.Elapsed.TotalSeconds;

        sw.Restart();
        int correct = 0;
        var evalImages = new Tensor(0, h, w, 1);
        for (int start = 0; start < nTest; start += evalBatch)
        {
            int n = Math.Min(evalBatch, nTest - start);
            evalImages.Reshape4(n, h, w, 1);
            var x = evalImages.Span;
            for (int b = 0; b < n; b++)
            {
                var src = test.Image(start + b);
                for (int p = 0; p < hw; p++) x[b * hw + p] = lut[src[p]];
            }
            var y = new int[n];
            for (int b = 0; b < n; b++) y[b] = test.Labels[start + b];
            correct += trainer.CountCorrect(evalImages, y);
        }
        double evalSeconds = sw.Elapsed.TotalSeconds;

        output.WriteLine(Report.JsonLine(
        [
            ("impl", "dnas"), ("epochs", epochs), ("train_images", nTrain), ("test_images", nTest),
            ("test_acc", 100.0 * correct / nTest), ("train_seconds", trainSeconds), ("eval_seconds", evalSeconds),
            ("final_loss", (double)lastLoss), ("peak_rss_mb", Report.PeakRssMb()),
        ], digits: 4));
        return 0;
    }
}
