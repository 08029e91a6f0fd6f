using System.Globalization;
using Dnas.Config;
using Dnas.Data.Store;

namespace Dnas.Pipeline;

/// <summary>The stages of a run, in order.</summary>
public enum PipelineStage
{
    Prepare,
    Train,
    Search,
    Finetune,
    Export,
    Firmware,
    Report,
}

/// <summary>Options of a pipeline run (the command line's <c>--resume</c>, <c>--restart</c>,
/// <c>--force</c>, <c>--no-supernet</c>).</summary>
public sealed record PipelineOptions
{
    public StageOptions Stage { get; init; } = new();
    /// <summary>Score candidates by brief training from scratch instead of the supernet.</summary>
    public bool NoSupernet { get; init; }
    /// <summary>Where the firmware stage writes (<c>--firmware-dir</c>); null: the run folder's <c>firmware/</c>.</summary>
    public string? FirmwareDirectory { get; init; }
}

/// <summary>What a pipeline run tells its caller (the CLI's progress bars and log lines).</summary>
public interface IPipelineObserver
{
    void StageStarted(string stage);
    void Progress(StageProgress progress);
    void Note(string line);
    void StageFinished(string stage, StageRecord? record, bool reused);
}

/// <summary>Runs the stages up to a chosen one, like make: a stage whose recorded input hash
/// matches its present inputs is reused, so changing the target only re-runs the search and
/// what follows, and a second run with nothing changed does no work.</summary>
public static class RunPipeline
{
    public static void Run(DnasConfig config, PipelineStage upTo, PipelineOptions options, IPipelineObserver observer, CancellationToken cancel = default)
    {
        var folder = new RunFolder(config.OutputDirectory);
        folder.Create();
        observer.StageStarted("prepare");
        var prepared = DataPreparation.Prepare(config, folder.Data, new Callback<PrepareProgress>(p =>
        {
            if (p.Phase == PreparePhase.Building)
                observer.Progress(new StageProgress("prepare", p.Done, p.Total, string.Create(CultureInfo.InvariantCulture, $"{p.ImagesPerSecond:0} img/s")));
        }), cancel);
        foreach (var w in prepared.Warnings) observer.Note(w.ToString());
        RunManifest.WriteDataFingerprint(folder, prepared.Index.Fingerprint);
        observer.StageFinished("prepare", null, prepared.Reused);
        if (upTo == PipelineStage.Prepare) return;

        using var data = RunData.Open(folder.Data);
        var progress = new Callback<StageProgress>(observer.Progress);
        if (!options.NoSupernet)
            Stage(observer, SupernetStage.Name, folder, () => SupernetStage.Run(config, folder, data, options.Stage, progress, observer.Note, cancel));
        if (upTo == PipelineStage.Train) return;
        Stage(observer, SearchStage.Name, folder, () => SearchStage.Run(config, folder, data, options.Stage, options.NoSupernet, progress, observer.Note, cancel));
        if (upTo == PipelineStage.Search) return;
        Stage(observer, FinetuneStage.Name, folder, () => FinetuneStage.Run(config, folder, data, options.Stage, progress, observer.Note, cancel));
        if (upTo == PipelineStage.Finetune) return;
        Stage(observer, ExportStage.Name, folder, () => ExportStage.Run(config, folder, data, options.Stage, progress, observer.Note, cancel));
        if (upTo == PipelineStage.Export) return;
        var firmware = Stage(observer, FirmwareStage.Name, folder, () => FirmwareStage.Run(folder, options.FirmwareDirectory, options.Stage, observer.Note));
        if (upTo == PipelineStage.Firmware) return;
        observer.StageStarted("report");
        RunReportStage.Write(config, folder);
        observer.StageFinished("report", null, false);
        // What the run made for its user's build: the firmware sources.
        RunManifest.WriteGenerated(folder, FirmwareStage.Files(firmware));
    }

    private static StageRecord Stage(IPipelineObserver observer, string name, RunFolder folder, Func<StageRecord> run)
    {
        var before = StageRecord.Load(folder.StageRecord(name));
        observer.StageStarted(name);
        var record = run();
        observer.StageFinished(name, record, before is not null && before.InputHash == record.InputHash && before.Finished == record.Finished);
        return record;
    }

    private sealed class Callback<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
