using System.Diagnostics;
using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Data.Sources;
using Dnas.Engine;
using Dnas.Hardware;
using Dnas.Pipeline;
using Dnas.Search;

namespace Dnas.Bench;

/// <summary>The search's own benchmarks, on a run folder trained by the pipeline:
/// <c>candidate-throughput</c> (supernet candidates scored per minute at 96x96) and
/// <c>ranking</c> (Kendall tau between supernet accuracy and accuracy after fine-tuning).</summary>
public static class SearchBench
{
    private sealed class StderrObserver : IPipelineObserver
    {
        private readonly Stopwatch _since = Stopwatch.StartNew();
        public void StageStarted(string stage) => Console.Error.WriteLine($"[{stage}] ...");
        public void Progress(StageProgress p)
        {
            if (_since.Elapsed.TotalSeconds < 15) return;
            _since.Restart();
            Console.Error.WriteLine($"[{p.Stage}] {p.Done}/{p.Total} {p.Status}");
        }
        public void Note(string line) => Console.Error.WriteLine(line);
        public void StageFinished(string stage, StageRecord? record, bool reused) =>
            Console.Error.WriteLine($"[{stage}] {(reused ? "reused" : $"done in {record?.Seconds:0} s")}");
    }

    /// <summary>Trains (or reuses) the configuration's supernet and opens its run folder.</summary>
    private static (DnasConfig Config, RunFolder Folder, RunData Data) Trained(BenchArgs args)
    {
        var config = DnasConfig.Load(args.String("config", "bench/configs/search-bench.yaml"));
        RunPipeline.Run(config, PipelineStage.Train, new PipelineOptions { Stage = new StageOptions { Resume = true } }, new StderrObserver());
        var folder = new RunFolder(config.OutputDirectory);
        return (config, folder, RunData.Open(folder.Data));
    }

    public static int CandidateThroughput(BenchArgs args, TextWriter output)
    {
        int count = args.Int("candidates", 30, 1), resolution = args.Int("res", 96, 8);
        var (config, folder, data) = Trained(args);
        args.Finish();
        using var dataScope = data;
        var evaluator = SearchStage.Evaluator(config, folder, data, noSupernet: false);
        var space = SupernetStage.Space(config);
        var rng = new Rng(11);
        var genomes = Enumerable.Range(0, count + 2).Select(i => Genome.Random(space.WithFixedData(resolution, i % 2 == 0 ? ColorMode.Rgb : ColorMode.Gray), rng)).ToArray();
        // The first evaluation at each colour also preprocesses the calibration and validation
        // images once (kept for every later candidate): timed apart.
        var warm = Stopwatch.StartNew();
        evaluator.Evaluate(genomes[0], default); evaluator.Evaluate(genomes[1], default);
        double warmSeconds = warm.Elapsed.TotalSeconds;
        var times = new List<double>();
        foreach (var g in genomes.Skip(2))
        {
            var t = Stopwatch.StartNew();
            evaluator.Evaluate(g, default);
            times.Add(t.Elapsed.TotalSeconds);
        }
        times.Sort();
        int validation = data.Batches(Split.Val, resolution, ColorMode.Rgb, config.Search.ValidationImages).Sum(b => b.Labels.Length);
        int calibration = data.Batches(Split.Train, resolution, ColorMode.Rgb, config.Search.CalibrationImages).Sum(b => b.Labels.Length);
        output.WriteLine(Report.JsonLine([
            ("bench", "candidate-throughput"), ("res", resolution), ("threads", Workers.Threads),
            ("calibration_images", calibration), ("validation_images", validation), ("candidates", count),
            ("candidates_per_min", 60.0 * count / times.Sum()), ("median_s", times[times.Count / 2]),
            ("max_s", times[^1]), ("first_two_with_preprocessing_s", warmSeconds),
        ]));
        return 0;
    }

    public static int Ranking(BenchArgs args, TextWriter output)
    {
        int count = args.Int("candidates", 12, 3);
        var (config, folder, data) = Trained(args);
        double epochs = args.Double("finetune-epochs", config.Finetune.Epochs);
        args.Finish();
        using var dataScope = data;
        var evaluator = SearchStage.Evaluator(config, folder, data, noSupernet: false);
        var space = SupernetStage.Space(config);
        // Candidates spanning the space: from a pool of random genomes, evenly spaced by MACs.
        var rng = new Rng(5);
        var camera = new CameraFrame(96, 96, PixelFormat.Rgb565);
        var pool = Enumerable.Range(0, 400).Select(_ => Genome.Random(space, rng)).DistinctBy(g => g.Key)
            .Select(g => (Genome: g, Macs: SupernetEvaluator.Cost(g, camera, config.Target.Profile, data.Classes.Count).Macs))
            .OrderBy(p => p.Macs).ToArray();
        var chosen = Enumerable.Range(0, count).Select(i => pool[(int)Math.Round(i * (pool.Length - 1.0) / (count - 1))].Genome).ToArray();
        var supernetAcc = new List<double>();
        var valAcc = new List<double>();
        var testAcc = new List<double>();
        var clock = Stopwatch.StartNew();
        var f = config.Finetune with { Epochs = epochs };
        foreach (var g in chosen)
        {
            supernetAcc.Add(evaluator.Evaluate(g, default).Accuracy);
            var net = FinetuneStage.Inherit(config, folder, data, g, out _);
            int batch = Math.Min(f.Batch, data.Train.Length);
            long steps = FinetuneStage.Steps(f, data.Train.Length, batch);
            var (trainer, _) = FinetuneStage.Trainer(net, f, steps);
            FinetuneStage.Train(trainer, g, data, batch, config.Search.Seed, steps);
            valAcc.Add(FinetuneStage.Accuracy(net, data, Split.Val, g));
            testAcc.Add(FinetuneStage.Accuracy(net, data, Split.Test, g));
            Console.Error.WriteLine($"{g.Key}: supernet {supernetAcc[^1]:P1} -> fine-tuned val {valAcc[^1]:P1} test {testAcc[^1]:P1}");
            output.WriteLine(Report.JsonLine([("bench", "ranking-candidate"), ("key", g.Key), ("supernet_val", supernetAcc[^1]),
                ("finetuned_val", valAcc[^1]), ("finetuned_test", testAcc[^1])], 4));
        }
        output.WriteLine(Report.JsonLine([
            ("bench", "ranking"), ("candidates", count), ("finetune_epochs", epochs),
            ("kendall_tau_test", RankCorrelation.KendallTauB(supernetAcc, testAcc)),
            ("kendall_tau_val", RankCorrelation.KendallTauB(supernetAcc, valAcc)),
            ("seconds", clock.Elapsed.TotalSeconds),
        ], 3));
        return 0;
    }
}

/// <summary><c>compare-runs</c>: finished runs side by side (the paper's data-aware vs
/// hardware-aware comparison, or supernet vs <c>--no-supernet</c>): one JSON line per run and
/// both Pareto fronts in one SVG per cost.</summary>
public static class CompareRuns
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        var configs = args.String("configs", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var labels = args.String("labels", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var outs = args.String("runs", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        string svg = args.String("svg", "");
        args.Finish();
        if (configs.Length == 0 || labels.Length != configs.Length || (outs.Length != 0 && outs.Length != configs.Length))
            throw new BenchUsageException("give --configs a.yaml,b.yaml and as many --labels (and optionally --runs folders overriding each config's output)");
        var sets = new List<(string Label, IReadOnlyList<EvaluatedCandidate> Candidates)>();
        DnasConfig? first = null;
        for (int i = 0; i < configs.Length; i++)
        {
            var config = DnasConfig.Load(configs[i]);
            if (outs.Length > 0) config = config with { OutputDirectory = Path.GetFullPath(outs[i]) };
            first ??= config;
            var folder = new RunFolder(config.OutputDirectory);
            var search = StageRecord.Load(folder.StageRecord(SearchStage.Name)) ?? throw new InvalidOperationException($"{folder.Root}: no finished search");
            var supernet = StageRecord.Load(folder.StageRecord(SupernetStage.Name));
            var finetune = StageRecord.Load(folder.StageRecord(FinetuneStage.Name));
            var chosen = search.Results["chosen"]!;
            bool scratch = (string?)search.Results["evaluator"] == "scratch";
            output.WriteLine(Report.JsonLine([
                ("bench", "compare-runs"), ("label", labels[i]), ("mode", (string?)search.Results["mode"] ?? ""),
                ("evaluator", (string?)search.Results["evaluator"] ?? ""),
                ("supernet_s", scratch || supernet is null ? 0.0 : supernet.Seconds), ("search_s", search.Seconds),
                ("candidates", (int?)search.Results["fresh_evaluations"] ?? 0), ("chosen", (string?)chosen["key"] ?? ""),
                ("val_accuracy", (double?)chosen["accuracy"] ?? double.NaN),
                ("test_accuracy", (double?)finetune?.Results["test_accuracy"] ?? double.NaN),
                ("test_accuracy_before_finetune", (double?)finetune?.Results["test_accuracy_before"] ?? double.NaN),
                ("sram_kb", ((double?)chosen["costs"]?["sram"] ?? 0) / 1024), ("flash_kb", ((double?)chosen["costs"]?["flash"] ?? 0) / 1024),
            ], 4));
            sets.Add((labels[i], SearchStage.Candidates(config, folder)));
        }
        if (svg.Length > 0)
            foreach (var cost in new[] { "sram", "flash" })
            {
                string path = svg.EndsWith(".svg", StringComparison.Ordinal) ? svg[..^4] + "-" + cost + ".svg" : svg + "-" + cost + ".svg";
                File.WriteAllText(path, Dnas.Report.RunReport.ComparisonPlot(cost, first!.Target.Profile, first.Target.LatencyLimitMs, [.. sets]));
                Console.Error.WriteLine($"wrote {path}");
            }
        return 0;
    }
}
