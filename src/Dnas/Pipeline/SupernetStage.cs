using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Search;

namespace Dnas.Pipeline;

/// <summary>Stage 2: train the one weight-sharing supernet over the search space (every data
/// configuration in data-aware mode, the fixed one in hardware-aware mode). Checkpoints every
/// <c>supernet.checkpoint_minutes</c> and when interrupted; the final checkpoint is the trained
/// supernet the search reads.</summary>
public static class SupernetStage
{
    public const string Name = "supernet";

    /// <summary>The space the search explores: the configured one, or in hardware-aware mode
    /// the same network choices at one data configuration.</summary>
    public static SearchSpace Space(DnasConfig config)
    {
        var space = config.SearchSpace.ToSearchSpace();
        if (config.Search.Mode != SearchMode.HardwareAware) return space;
        var (r, c) = FixedData(config);
        return space.WithFixedData(r, c);
    }

    /// <summary>The data configuration of hardware-aware mode: configured, else the largest
    /// resolution in RGB (the paper's 96 px RGB-style baseline).</summary>
    public static (int Resolution, ColorMode Color) FixedData(DnasConfig config) =>
        (config.Search.FixedResolution ?? config.SearchSpace.MaxResolution, config.Search.FixedColor ?? ColorMode.Rgb);

    public static SupernetTrainingOptions Options(DnasConfig config, int trainImages)
    {
        var s = config.Supernet;
        int steps = s.Steps ?? Math.Max(1, (int)Math.Ceiling(s.Epochs * trainImages / s.Batch));
        return new SupernetTrainingOptions
        {
            Steps = steps,
            Batch = s.Batch,
            Optimizer = s.Optimizer,
            LearningRate = (float)s.EffectiveLearningRate,
            RandomSubnets = Math.Max(0, s.Sandwich - 2),
            Distill = s.Distillation,
            Seed = config.Search.Seed,
        };
    }

    public static string InputHash(DnasConfig config, RunData data) =>
        StageRecord.Hash(Name, data.ContentHash, Space(config).ToString(), Options(config, data.Train.Length).ToString());

    /// <summary>A training set up for the configuration (weights freshly initialised).</summary>
    public static SupernetTraining Create(DnasConfig config, RunData data) =>
        new(Space(config), data.Store, data.Labels, data.Train, data.Classes.Count, Options(config, data.Train.Length));

    /// <summary>The trained supernet of a finished stage.</summary>
    public static SupernetTraining Load(DnasConfig config, RunFolder folder, RunData data)
    {
        var record = StageRecord.Load(folder.StageRecord(Name));
        if (record is null || record.InputHash != InputHash(config, data) || !File.Exists(folder.SupernetCheckpoint))
            throw new PipelineException(Diagnostic.Error(DiagnosticCodes.MissingStage,
                $"no trained supernet for this configuration in {folder.Root}; run 'dnas train' (or 'dnas run') first"));
        var training = Create(config, data);
        LoadCheckpoint(training, folder.SupernetCheckpoint);
        return training;
    }

    private static void LoadCheckpoint(SupernetTraining training, string path)
    {
        try { training.LoadCheckpoint(path); }
        catch (InvalidDataException e)
        {
            throw new PipelineException(Diagnostic.Error(DiagnosticCodes.BadCheckpoint, e.Message + "; use --restart to train again", path), e);
        }
    }

    /// <summary>Runs (or reuses, or resumes) the stage. Cancelling saves a checkpoint first and
    /// then throws <see cref="OperationCanceledException"/>.</summary>
    public static StageRecord Run(DnasConfig config, RunFolder folder, RunData data, StageOptions options,
        IProgress<StageProgress>? progress = null, Action<string>? note = null, CancellationToken cancel = default)
    {
        string hash = InputHash(config, data);
        var start = StageGuard.Decide(folder, Name, hash, options, note);
        if (start == StageStart.Reuse) return StageRecord.Load(folder.StageRecord(Name))!;
        var training = Create(config, data);
        var opts = Options(config, data.Train.Length);
        if (start == StageStart.Resume) LoadCheckpoint(training, folder.SupernetCheckpoint);
        var clock = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        var every = TimeSpan.FromMinutes(config.Supernet.CheckpointMinutes);
        long startStep = training.StepsDone;
        double lossAverage = double.NaN;
        while (training.StepsDone < opts.Steps)
        {
            if (cancel.IsCancellationRequested)
            {
                training.SaveCheckpoint(folder.SupernetCheckpoint);
                cancel.ThrowIfCancellationRequested();
            }
            float loss = training.Step();
            lossAverage = double.IsNaN(lossAverage) ? loss : 0.95 * lossAverage + 0.05 * loss;
            double rate = (training.StepsDone - startStep) * opts.Batch / clock.Elapsed.TotalSeconds;
            progress?.Report(new StageProgress(Name, training.StepsDone, opts.Steps,
                string.Create(CultureInfo.InvariantCulture, $"loss {lossAverage:0.000}, {rate:0} img/s")));
            if (sinceCheckpoint.Elapsed >= every)
            {
                training.SaveCheckpoint(folder.SupernetCheckpoint);
                sinceCheckpoint.Restart();
            }
        }
        training.SaveCheckpoint(folder.SupernetCheckpoint);
        var record = new StageRecord(Name, hash, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, new JsonObject
        {
            ["steps"] = opts.Steps,
            ["batch"] = opts.Batch,
            ["resumed_at_step"] = start == StageStart.Resume ? startStep : null,
            ["final_loss"] = double.IsNaN(lossAverage) ? null : Math.Round(lossAverage, 5),
            ["space"] = Space(config).ToString(),
        });
        record.Save(folder.StageRecord(Name));
        return record;
    }
}
