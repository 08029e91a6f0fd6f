using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dnas.Config;
using Dnas.Data.Sources;
using Dnas.Hardware;
using Dnas.Search;

namespace Dnas.Pipeline;

/// <summary>Stage 3: NSGA-II over the search space, each candidate scored by the trained
/// supernet (or, with <c>--no-supernet</c>, by brief training from scratch), every evaluation
/// appended to <c>candidates.jsonl</c>; the Pareto front and the chosen system (best accuracy
/// within the target's limits) go to <c>search.json</c>. Resuming replays the log: with the
/// same seed the evolution retraces its steps for free and goes on where it stopped.</summary>
public static class SearchStage
{
    public const string Name = "search";

    public static SearchObjectives Objectives(DnasConfig config)
    {
        var limits = new Dictionary<string, double>
        {
            ["sram"] = config.Target.Profile.SramBytes,
            ["flash"] = config.Target.Profile.FlashBytes,
        };
        if (config.Target.LatencyLimitMs is double ms) limits["latency_ms"] = ms;
        string objective = config.Search.Objective is "latency" ? "latency_ms" : config.Search.Objective;
        return new SearchObjectives { Costs = [objective], Limits = limits };
    }

    public static Nsga2Options Options(DnasConfig config) => new()
    {
        PopulationSize = config.Search.Population,
        MaxGenerations = config.Search.Generations,
        TimeLimit = config.Search.TimeBudgetMinutes is double m ? TimeSpan.FromMinutes(m) : null,
        Seed = config.Search.Seed,
        Objectives = Objectives(config),
    };

    /// <summary>The camera frame counted in a candidate's SRAM.</summary>
    public static Func<Genome, CameraFrame> CameraOf(DnasConfig config) => g => config.Target.CameraFor(g.Resolution, g.Color);

    public static string InputHash(DnasConfig config, RunData data, bool noSupernet) =>
        StageRecord.Hash(Name,
            noSupernet ? "no-supernet:" + data.ContentHash + ":" + config.Search.ScratchSteps + ":" + config.Supernet
                       : SupernetStage.InputHash(config, data),
            SupernetStage.Space(config).ToString(), Options(config).ToString(), config.Target.ToString(),
            string.Join(",", Objectives(config).Limits.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value.ToString("R", CultureInfo.InvariantCulture)}")),
            config.Search.CalibrationImages.ToString(CultureInfo.InvariantCulture), config.Search.ValidationImages.ToString(CultureInfo.InvariantCulture));

    /// <summary>The evaluator the configuration asks for.</summary>
    public static ICandidateEvaluator Evaluator(DnasConfig config, RunFolder folder, RunData data, bool noSupernet)
    {
        if (noSupernet)
            return new ScratchEvaluator(data, config.Search.ScratchSteps, config.Supernet.Batch, config.Supernet.Optimizer, (float)config.Supernet.EffectiveLearningRate,
                config.Search.ValidationImages, config.Search.Seed, config.Target.Profile, CameraOf(config));
        var supernet = SupernetStage.Load(config, folder, data).Supernet;
        var s = config.Search;
        return new SupernetEvaluator(supernet, config.Target.Profile, default,
            (r, c) => data.Batches(Split.Train, r, c, s.CalibrationImages),
            (r, c) => data.Batches(Split.Val, r, c, s.ValidationImages))
        { CameraOf = CameraOf(config) };
    }

    public static StageRecord Run(DnasConfig config, RunFolder folder, RunData data, StageOptions options, bool noSupernet = false,
        IProgress<StageProgress>? progress = null, Action<string>? note = null, CancellationToken cancel = default)
    {
        string hash = InputHash(config, data, noSupernet);
        var start = StageGuard.Decide(folder, Name, hash, options, note);
        if (start == StageStart.Reuse) return StageRecord.Load(folder.StageRecord(Name))!;
        var space = SupernetStage.Space(config);
        var search = new Nsga2(space, Evaluator(config, folder, data, noSupernet), Options(config));
        if (start == StageStart.Resume) search.Preload(CandidateLogReader.ForPreload(ReadLog(folder)));
        else File.Delete(folder.Candidates);

        var clock = Stopwatch.StartNew();
        long total = (long)config.Search.Population * (config.Search.Generations + 1), done = 0;
        double best = double.NaN;
        search.CandidateEvaluated += c =>
        {
            done++;
            if (c.Feasible && !(c.Accuracy <= best)) best = c.Accuracy;
            double perMinute = done / Math.Max(1e-9, clock.Elapsed.TotalMinutes);
            progress?.Report(new StageProgress(Name, Math.Min(search.CachedCount, total), total,
                string.Create(CultureInfo.InvariantCulture, $"best {(double.IsNaN(best) ? "-" : (best * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%")}, {perMinute:0} cand/min")));
        };
        Nsga2Result result;
        using (var log = new CandidateLogWriter(folder.Candidates))
        {
            log.Attach(search);
            result = search.Run(cancel);
        }
        if (result.StopReason == StopReason.Cancelled) cancel.ThrowIfCancellationRequested();
        var chosen = result.Chosen ?? throw new PipelineException(Diagnostic.Error(DiagnosticCodes.NoFeasible,
            $"none of the {result.Evaluated.Count} candidates fits {config.Target.Profile.Name} ({Describe(Objectives(config))}); " +
            "raise the limits, allow smaller resolutions, widths or depths in search_space, or give the search more generations", config.File));
        var record = new StageRecord(Name, hash, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, new JsonObject
        {
            ["mode"] = config.Search.Mode == SearchMode.HardwareAware ? "hardware-aware" : "data-aware",
            ["evaluator"] = noSupernet ? "scratch" : "supernet",
            ["fresh_evaluations"] = result.FreshEvaluations,
            ["candidates"] = result.Evaluated.Count,
            ["generations"] = result.Generations,
            ["stop_reason"] = result.StopReason.ToString(),
            ["candidates_per_minute"] = Math.Round(result.FreshEvaluations / Math.Max(1e-9, clock.Elapsed.TotalMinutes), 2),
            ["chosen"] = Candidate(chosen),
            ["pareto_front"] = new JsonArray([.. result.ParetoFront.Select(c => (JsonNode)Candidate(c))]),
        });
        record.Save(folder.StageRecord(Name));
        return record;
    }

    private static string Describe(SearchObjectives o) =>
        string.Join(", ", o.Limits.OrderBy(kv => kv.Key).Select(kv => kv.Key switch
        {
            "sram" => $"SRAM <= {kv.Value / 1024:0} KB",
            "flash" => $"flash <= {kv.Value / 1024:0} KB",
            _ => $"{kv.Key} <= {kv.Value:0.###}",
        }));

    private static JsonObject Candidate(EvaluatedCandidate c)
    {
        var costs = new JsonObject();
        foreach (var (k, v) in c.Score.Costs) costs[k] = v;
        return new JsonObject { ["key"] = c.Key, ["accuracy"] = c.Accuracy, ["costs"] = costs };
    }

    private static List<LoggedCandidate> ReadLog(RunFolder folder)
    {
        try { return CandidateLogReader.Read(folder.Candidates); }
        catch (FormatException e)
        {
            throw new PipelineException(Diagnostic.Error(DiagnosticCodes.BadCheckpoint, e.Message + "; use --restart to search again", folder.Candidates), e);
        }
    }

    /// <summary>The chosen system's genome from a finished search.</summary>
    public static Genome Chosen(DnasConfig config, RunFolder folder)
    {
        var record = StageRecord.Load(folder.StageRecord(Name))
            ?? throw new PipelineException(Diagnostic.Error(DiagnosticCodes.MissingStage, $"no finished search in {folder.Root}; run 'dnas search' (or 'dnas run') first"));
        string key = (string?)record.Results["chosen"]?["key"]
            ?? throw new PipelineException(Diagnostic.Error(DiagnosticCodes.BadCheckpoint, "search.json names no chosen system; use --restart", folder.StageRecord(Name)));
        return Genome.Parse(SupernetStage.Space(config), key);
    }

    /// <summary>Every candidate of the run's log, scored against the configuration's objectives (for the report).</summary>
    public static List<EvaluatedCandidate> Candidates(DnasConfig config, RunFolder folder)
    {
        var space = SupernetStage.Space(config);
        var objectives = Objectives(config);
        return ReadLog(folder).Select((c, i) => new EvaluatedCandidate(Genome.Parse(space, c.Key), c.Score, objectives, c.Generation, i)).ToList();
    }
}
