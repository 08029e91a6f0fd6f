using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Data.Sources;
using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;
using Dnas.Search;
using Dnas.Supernet;

namespace Dnas.Pipeline;

/// <summary>Stage 4: the chosen system is trained further from the weights it inherits from
/// the supernet (batch norm recalibrated first), at its own data configuration, then measured
/// on the test split. Checkpoints like the supernet stage; the result is
/// <c>model.weights</c>.</summary>
public static class FinetuneStage
{
    public const string Name = "finetune";

    public static string InputHash(DnasConfig config, RunFolder folder, Genome chosen) =>
        StageRecord.Hash(Name, StageRecord.Load(folder.StageRecord(SearchStage.Name))?.InputHash ?? "", chosen.Key,
            config.Finetune.ToString(), config.Search.Seed.ToString(CultureInfo.InvariantCulture));

    /// <summary>The architecture name stored with the weights.</summary>
    public static string Description(Genome genome, int classes) => $"{genome.Key}/classes={classes}";

    /// <summary>The chosen network with the supernet's weights (when one was trained) or fresh
    /// ones (the <c>--no-supernet</c> baseline has no supernet to inherit from).</summary>
    public static MobileNetV2 Inherit(DnasConfig config, RunFolder folder, RunData data, Genome genome, out bool inherited)
    {
        var subnet = SupernetEvaluator.ToSubnet(genome, data.Classes.Count);
        var supernetRecord = StageRecord.Load(folder.StageRecord(SupernetStage.Name));
        inherited = supernetRecord is not null && supernetRecord.InputHash == SupernetStage.InputHash(config, data);
        if (!inherited)
        {
            var net = new MobileNetV2(subnet.ToMobileNetV2Spec());
            net.Initialize(config.Search.Seed);
            return net;
        }
        var supernet = SupernetStage.Load(config, folder, data).Supernet;
        var model = supernet.Create(subnet);
        supernet.LoadInto(model, subnet);
        BnRecalibration.Recalibrate(model, data.Batches(Split.Train, genome.Resolution, genome.Color, config.Search.CalibrationImages).Select(b => b.Images));
        return model;
    }

    /// <summary>Top-1 accuracy of <paramref name="net"/> on a split at the genome's data configuration.</summary>
    public static double Accuracy(MobileNetV2 net, RunData data, Split split, Genome genome)
    {
        long correct = 0, total = 0;
        foreach (var b in data.Batches(split, genome.Resolution, genome.Color))
        {
            correct += Loss.Correct(net.Forward(b.Images, training: false), b.Labels);
            total += b.Labels.Length;
        }
        return total == 0 ? double.NaN : (double)correct / total;
    }

    public static StageRecord Run(DnasConfig config, RunFolder folder, RunData data, StageOptions options,
        IProgress<StageProgress>? progress = null, Action<string>? note = null, CancellationToken cancel = default)
    {
        var genome = SearchStage.Chosen(config, folder);
        string hash = InputHash(config, folder, genome);
        var start = StageGuard.Decide(folder, Name, hash, options, note);
        if (start == StageStart.Reuse) return StageRecord.Load(folder.StageRecord(Name))!;

        var f = config.Finetune;
        int batch = Math.Min(f.Batch, data.Train.Length);
        long steps = Steps(f, data.Train.Length, batch);
        var net = Inherit(config, folder, data, genome, out bool inherited);
        double before = Accuracy(net, data, Split.Test, genome);
        var (trainer, optimizer) = Trainer(net, f, steps);
        string description = Description(genome, data.Classes.Count);
        if (start == StageStart.Resume)
        {
            try { trainer.StepIndex = NetState.Load(folder.FinetuneCheckpoint, description, net, optimizer); }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new PipelineException(Diagnostic.Error(DiagnosticCodes.BadCheckpoint, e.Message + "; use --restart to fine-tune again", folder.FinetuneCheckpoint), e);
            }
        }
        var clock = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        var every = TimeSpan.FromMinutes(config.Supernet.CheckpointMinutes);
        try
        {
            Train(trainer, genome, data, batch, config.Search.Seed, steps, (loss, rate) =>
            {
                progress?.Report(new StageProgress(Name, trainer.StepIndex, steps,
                    string.Create(CultureInfo.InvariantCulture, $"loss {loss:0.000}, {rate:0} img/s")));
                if (sinceCheckpoint.Elapsed >= every)
                {
                    NetState.Save(folder.FinetuneCheckpoint, description, net, optimizer, trainer.StepIndex);
                    sinceCheckpoint.Restart();
                }
            }, cancel);
        }
        catch (OperationCanceledException)
        {
            NetState.Save(folder.FinetuneCheckpoint, description, net, optimizer, trainer.StepIndex);
            throw;
        }
        NetState.Save(folder.Model, description, net);
        double val = Accuracy(net, data, Split.Val, genome), test = Accuracy(net, data, Split.Test, genome);
        var record = new StageRecord(Name, hash, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, new JsonObject
        {
            ["key"] = genome.Key,
            ["inherited_weights"] = inherited,
            ["steps"] = steps,
            ["test_accuracy_before"] = Round(before),
            ["val_accuracy"] = Round(val),
            ["test_accuracy"] = Round(test),
            ["test_images"] = data.Test.Length,
        });
        record.Save(folder.StageRecord(Name));
        return record;
    }

    /// <summary>Trains <paramref name="trainer"/>'s network from its current step up to
    /// <paramref name="steps"/> on augmented training batches at the genome's data
    /// configuration; the batch of a step depends only on the seed and the step number, so a
    /// run continued from a saved step is bit-identical to one that never stopped.
    /// <paramref name="afterStep"/> gets the smoothed loss and images/s.</summary>
    public static void Train(Trainer trainer, Genome genome, RunData data, int batch, ulong seed, long steps,
        Action<double, double>? afterStep = null, CancellationToken cancel = default)
    {
        var builder = new BatchBuilder(PreprocessSpec.Square(genome.Resolution, genome.Color), new AugmentOptions(), seed: seed);
        var order = new EpochOrder(data.Train, seed);
        var items = new int[batch];
        var labels = new int[batch];
        var images = new Tensor(0);
        var clock = Stopwatch.StartNew();
        long startStep = trainer.StepIndex;
        double lossAverage = double.NaN;
        while (trainer.StepIndex < steps)
        {
            cancel.ThrowIfCancellationRequested();
            int epoch = order.Fill(trainer.StepIndex, items);
            for (int i = 0; i < batch; i++) labels[i] = data.Labels[items[i]];
            builder.Fill(data.Store, items, images, epoch);
            float loss = trainer.Step(images, labels);
            lossAverage = double.IsNaN(lossAverage) ? loss : 0.95 * lossAverage + 0.05 * loss;
            afterStep?.Invoke(lossAverage, (trainer.StepIndex - startStep) * batch / clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>A trainer for fine-tuning <paramref name="net"/> (the configured optimiser, cosine schedule with 5% warm-up).</summary>
    public static (Trainer Trainer, IOptimizer Optimizer) Trainer(MobileNetV2 net, FinetuneConfig f, long steps)
    {
        var optimizer = Optimizers.Create(f.Optimizer, net.Parameters());
        return (new Trainer(net, optimizer, new CosineSchedule((float)f.EffectiveLearningRate, steps, Math.Max(1, steps / 20))), optimizer);
    }

    /// <summary>Fine-tuning steps for a training split.</summary>
    public static long Steps(FinetuneConfig f, int trainImages, int batch) => (long)Math.Ceiling(f.Epochs * trainImages / batch);

    private static double? Round(double v) => double.IsNaN(v) ? null : Math.Round(v, 5);

    /// <summary>The fine-tuned network of a finished stage.</summary>
    public static MobileNetV2 LoadModel(RunFolder folder, Genome genome, int classes)
    {
        var net = new MobileNetV2(SupernetEvaluator.ToSubnet(genome, classes).ToMobileNetV2Spec());
        try { NetState.Load(folder.Model, Description(genome, classes), net); }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new PipelineException(Diagnostic.Error(DiagnosticCodes.BadCheckpoint, e.Message + "; run 'dnas finetune --restart'", folder.Model), e);
        }
        return net;
    }
}
