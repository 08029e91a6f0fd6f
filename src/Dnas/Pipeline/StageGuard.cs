using Dnas.Config;

namespace Dnas.Pipeline;

/// <summary>How a stage begins.</summary>
public enum StageStart
{
    /// <summary>The stage finished before with the same inputs: its outputs are reused.</summary>
    Reuse,
    /// <summary>Run from the beginning.</summary>
    Fresh,
    /// <summary>Continue an interrupted run of the same inputs from its checkpoint.</summary>
    Resume,
}

/// <summary>Options every stage shares: what to do with an interrupted run.</summary>
public sealed record StageOptions
{
    /// <summary>Continue an interrupted stage from its checkpoint (<c>--resume</c>).</summary>
    public bool Resume { get; init; }
    /// <summary>Discard an interrupted stage and start it again (<c>--restart</c>).</summary>
    public bool Restart { get; init; }
    /// <summary>Run stages even when their record says their inputs are unchanged (<c>--force</c>).</summary>
    public bool Force { get; init; }
}

/// <summary>Decides whether a stage is reused, started or resumed. A stage writes
/// <c>&lt;stage&gt;.started</c> (its input hash) when it begins and <c>&lt;stage&gt;.json</c>
/// when it ends. An interrupted stage (started, not finished, same inputs) is never thrown away
/// silently: without <c>--resume</c> or <c>--restart</c> the run stops and says so.</summary>
public static class StageGuard
{
    public static string StartedPath(RunFolder folder, string stage) => Path.Combine(folder.Root, stage + ".started");

    /// <param name="note">receives one line when an earlier run's leftovers are replaced</param>
    public static StageStart Decide(RunFolder folder, string stage, string inputHash, StageOptions options, Action<string>? note = null)
    {
        if (options.Resume && options.Restart)
            throw new PipelineException(Diagnostic.Error(DiagnosticCodes.Unfinished, "--resume and --restart exclude each other: give one"));
        var record = StageRecord.Load(folder.StageRecord(stage));
        if (!options.Force && record?.InputHash == inputHash) return StageStart.Reuse;
        string started = StartedPath(folder, stage);
        string? startedHash = File.Exists(started) ? File.ReadAllText(started).Trim() : null;
        bool interrupted = startedHash is not null && startedHash != record?.InputHash;
        StageStart start;
        if (interrupted && startedHash == inputHash)
        {
            if (options.Resume) start = StageStart.Resume;
            else if (options.Restart) start = StageStart.Fresh;
            else throw new PipelineException(Diagnostic.Error(DiagnosticCodes.Unfinished,
                $"the {stage} stage in {folder.Root} was interrupted; run again with --resume to continue it from its last checkpoint, or --restart to start it over"));
        }
        else
        {
            if (options.Resume && interrupted)
                throw new PipelineException(Diagnostic.Error(DiagnosticCodes.Unfinished,
                    $"cannot resume the {stage} stage: its inputs (configuration or data) changed since it was interrupted; use --restart to start it over with the new inputs"));
            if (interrupted) note?.Invoke($"{stage}: discarding an interrupted run made with other inputs");
            else if (record is not null) note?.Invoke($"{stage}: inputs changed since the last run; running again");
            start = StageStart.Fresh;
        }
        AtomicFile.WriteAllText(started, inputHash + "\n");
        return start;
    }
}

/// <summary>A pipeline stage cannot go on; the diagnostics say why and what to do.</summary>
public sealed class PipelineException : DiagnosticException
{
    public PipelineException(Diagnostic diagnostic, Exception? inner = null) : base(diagnostic, inner) { }
}
