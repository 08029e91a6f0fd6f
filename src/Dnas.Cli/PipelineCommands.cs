using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Dnas.Config;
using Dnas.Pipeline;
using Spectre.Console;

namespace Dnas.Cli;

/// <summary><c>dnas train | search | finetune | run | report</c>: each runs the pipeline up to
/// its stage, reusing every earlier stage whose inputs did not change.</summary>
internal static class PipelineCommands
{
    public static IEnumerable<Command> Create(TextWriter stdout, TextWriter stderr, bool interactive)
    {
        yield return Make("train", "Prepare the data and train the weight-sharing supernet.", PipelineStage.Train, stdout, stderr, interactive);
        yield return Make("search", "Search the space with NSGA-II, scoring candidates with the supernet (trains it first if needed).", PipelineStage.Search, stdout, stderr, interactive);
        yield return Make("finetune", "Fine-tune the chosen system from its inherited weights and measure it on the test split.", PipelineStage.Finetune, stdout, stderr, interactive);
        yield return Make("export", "Quantize the fine-tuned model to int8 and write model.tflite and model.float.tflite into the run folder.", PipelineStage.Export, stdout, stderr, interactive);
        yield return Make("run", "The whole pipeline: prepare, train, search, finetune, export, firmware, report.", PipelineStage.Report, stdout, stderr, interactive);
        yield return Make("report", "Write report.md and its plots for a finished run.", PipelineStage.Report, stdout, stderr, interactive, reportOnly: true);
    }

    private static Command Make(string name, string description, PipelineStage upTo, TextWriter stdout, TextWriter stderr, bool interactive, bool reportOnly = false)
    {
        var config = new Option<string>("--config", "-c") { Description = "the configuration file", DefaultValueFactory = _ => "dnas.yaml" };
        var output = new Option<string?>("--out") { Description = "the run folder (default: dnas.yaml's 'output')" };
        var seed = new Option<ulong?>("--seed") { Description = "the run's seed (default: search.seed); the same seed and configuration give the same result" };
        var target = new Option<string?>("--target") { Description = "a built-in board to target instead of dnas.yaml's (replaces target.board and its limits; target.latency_ms and target.camera stay)" };
        var resume = new Option<bool>("--resume") { Description = "continue an interrupted stage from its last checkpoint" };
        var restart = new Option<bool>("--restart") { Description = "discard an interrupted stage and start it over" };
        var force = new Option<bool>("--force") { Description = "run every stage again even if its inputs are unchanged" };
        var noSupernet = new Option<bool>("--no-supernet") { Description = "score candidates by brief training from scratch (the non-supernet baseline)" };
        var firmwareDir = new Option<string?>("--firmware-dir") { Description = "where to generate the firmware (default: the run folder's firmware/)" };
        var calibration = new Option<int?>("--calibration-images") { Description = "training images the int8 ranges are measured on (default: quantize.calibration_images)" };
        var command = new Command(name, description) { config, output, seed, target };
        if (upTo == PipelineStage.Export) command.Add(calibration);
        if (!reportOnly)
        {
            command.Add(resume); command.Add(restart); command.Add(force);
            if (upTo >= PipelineStage.Search) command.Add(noSupernet);
            if (upTo >= PipelineStage.Firmware) command.Add(firmwareDir);
        }
        command.SetAction((parse, cancel) =>
        {
            var options = new PipelineOptions
            {
                Stage = new StageOptions { Resume = parse.GetValue(resume), Restart = parse.GetValue(restart), Force = parse.GetValue(force) },
                NoSupernet = parse.GetValue(noSupernet),
                FirmwareDirectory = parse.GetValue(firmwareDir) is { } dir ? Path.GetFullPath(dir) : null,
            };
            int? images = parse.GetValue(calibration);
            if (images is < 1)
            {
                stderr.WriteLine($"dnas: error: --calibration-images must be at least 1, got {images}");
                return Task.FromResult(Program.UsageError);
            }
            var overrides = new ConfigOverrides(parse.GetValue(output), parse.GetValue(seed), parse.GetValue(target), images);
            return Task.FromResult(Run(parse.GetValue(config)!, overrides, upTo, reportOnly, options,
                stdout, stderr, interactive, cancel));
        });
        return command;
    }

    /// <summary>The command line's <c>--out</c>, <c>--seed</c>, <c>--target</c> and <c>--calibration-images</c>.</summary>
    internal sealed record ConfigOverrides(string? OutDir = null, ulong? Seed = null, string? Board = null, int? CalibrationImages = null);

    /// <summary>The configuration with the command line's overrides applied.</summary>
    internal static DnasConfig Load(string configPath, ConfigOverrides overrides)
    {
        var config = DnasConfig.Load(configPath, overrides.Board);
        if (overrides.CalibrationImages is int n) config = config with { Quantize = config.Quantize with { CalibrationImages = n } };
        if (overrides.OutDir is not null) config = config with { OutputDirectory = Path.GetFullPath(overrides.OutDir) };
        if (overrides.Seed is ulong s) config = config with { Search = config.Search with { Seed = s } };
        return config;
    }

    private static int Run(string configPath, ConfigOverrides overrides, PipelineStage upTo, bool reportOnly, PipelineOptions options,
        TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var config = Load(configPath, overrides);
            if (reportOnly) RunReportStage.Write(config, new RunFolder(config.OutputDirectory));
            else if (interactive) WithProgressBars(stderr, observer => RunPipeline.Run(config, upTo, options, observer, cancel));
            else RunPipeline.Run(config, upTo, options, new LogObserver(stderr), cancel);
            Summary(stdout, config, upTo, clock.Elapsed);
            return Program.Ok;
        }
        catch (DiagnosticException e)
        {
            foreach (var d in e.Diagnostics) stderr.WriteLine(d);
            return Program.DataError;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("dnas: interrupted; the stage's checkpoint is saved: run the same command with --resume to continue");
            return Program.Interrupted;
        }
    }

    /// <summary>Plain progress lines (no terminal): one per stage change and at most one every 10 s.</summary>
    private sealed class LogObserver(TextWriter w) : IPipelineObserver
    {
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private readonly Stopwatch _stage = new();

        public void StageStarted(string stage) { _stage.Restart(); w.WriteLine($"dnas: {stage} ..."); }
        public void Note(string line) => w.WriteLine($"dnas: {line}");

        public void Progress(StageProgress p)
        {
            if (_since.Elapsed < TimeSpan.FromSeconds(10) && p.Done < p.Total) return;
            _since.Restart();
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dnas: {p.Stage} {p.Done}/{p.Total} {p.Status} ETA {Eta(_stage.Elapsed, p)}"));
        }

        public void StageFinished(string stage, StageRecord? record, bool reused) =>
            w.WriteLine(reused ? $"dnas: {stage} reused (inputs unchanged)" : string.Create(CultureInfo.InvariantCulture, $"dnas: {stage} done in {_stage.Elapsed.TotalSeconds:0.0} s"));
    }

    internal static string Eta(TimeSpan elapsed, StageProgress p)
    {
        if (p.Done <= 0 || p.Total <= p.Done) return "-";
        var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds / p.Done * (p.Total - p.Done));
        return eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
    }

    private sealed class BarObserver(ProgressContext ctx) : IPipelineObserver
    {
        private ProgressTask? _task;
        private readonly Stopwatch _stage = new();
        public readonly List<string> Notes = [];

        public void StageStarted(string stage)
        {
            _stage.Restart();
            _task = ctx.AddTask(stage);
            _task.IsIndeterminate = true;
        }

        public void Progress(StageProgress p)
        {
            if (_task is null) return;
            _task.IsIndeterminate = false;
            _task.MaxValue = Math.Max(1, p.Total);
            _task.Value = p.Done;
            _task.Description = Markup.Escape($"{p.Stage} {p.Done}/{p.Total} {p.Status} ETA {Eta(_stage.Elapsed, p)}");
        }

        public void Note(string line) => Notes.Add(line);

        public void StageFinished(string stage, StageRecord? record, bool reused)
        {
            if (_task is null) return;
            _task.IsIndeterminate = false;
            _task.Value = _task.MaxValue;
            _task.Description = Markup.Escape(reused ? $"{stage} (reused)" : string.Create(CultureInfo.InvariantCulture, $"{stage} {_stage.Elapsed.TotalSeconds:0} s"));
            _task.StopTask();
        }
    }

    private static void WithProgressBars(TextWriter stderr, Action<IPipelineObserver> run)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
        var notes = new List<string>();
        try
        {
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var observer = new BarObserver(ctx);
                    try { run(observer); }
                    finally { notes.AddRange(observer.Notes); }
                });
        }
        finally
        {
            foreach (var n in notes) stderr.WriteLine($"dnas: {n}");
        }
    }

    private static void Summary(TextWriter w, DnasConfig config, PipelineStage upTo, TimeSpan elapsed)
    {
        var folder = new RunFolder(config.OutputDirectory);
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine($"run:      {folder.Root}");
        if (upTo >= PipelineStage.Search && StageRecord.Load(folder.StageRecord(SearchStage.Name)) is { } search)
        {
            var chosen = search.Results["chosen"];
            var costs = chosen?["costs"];
            w.WriteLine($"chosen:   {chosen?["key"]}");
            w.WriteLine(string.Create(inv,
                $"          val accuracy {(double?)chosen?["accuracy"] * 100:0.0}% ({search.Results["evaluator"]} estimate), SRAM {(double?)costs?["sram"] / 1024:0.0} KB, flash {(double?)costs?["flash"] / 1024:0.0} KB, latency {(double?)costs?["latency_ms"]:0.0} ms on {config.Target.Profile.Name}"));
            w.WriteLine(string.Create(inv, $"search:   {search.Results["fresh_evaluations"]} candidates in {search.Seconds:0} s ({search.Results["candidates_per_minute"]}/min), {search.Results["mode"]}"));
        }
        if (upTo >= PipelineStage.Finetune && StageRecord.Load(folder.StageRecord(FinetuneStage.Name)) is { } ft)
            w.WriteLine(string.Create(inv, $"finetune: test accuracy {(double?)ft.Results["test_accuracy"] * 100:0.0}% on {ft.Results["test_images"]} images (before: {(double?)ft.Results["test_accuracy_before"] * 100:0.0}%), model {folder.Model}"));
        if (upTo >= PipelineStage.Export && StageRecord.Load(folder.StageRecord(ExportStage.Name)) is { } ex)
        {
            w.WriteLine(string.Create(inv, $"export:   {folder.Int8Model} ({(long?)ex.Results["model_bytes"] / 1024.0:0.0} KB int8), {folder.FloatModel}; calibrated on {ex.Results["calibration_images"]} training images ({ex.Results["ranges"]})"));
            foreach (var split in new[] { "val", "test" })
                if (ex.Results[split] is { } r)
                    w.WriteLine(string.Create(inv, $"          {split}: int8 accuracy {(double?)r["int8_accuracy"] * 100:0.00}% vs float {(double?)r["float_accuracy"] * 100:0.00}%, top-1 agreement {(double?)r["agreement"] * 100:0.00}% on {r["images"]} images"));
        }
        if (upTo >= PipelineStage.Firmware && StageRecord.Load(folder.StageRecord(FirmwareStage.Name)) is { } fw)
            w.WriteLine(string.Create(inv, $"firmware: {FirmwareStage.Files(fw).Count} files in {fw.Results["directory"]} (C engine: arena {fw.Results["arena_bytes"]} B, constants {fw.Results["constant_bytes"]} B)"));
        if (upTo >= PipelineStage.Report && File.Exists(folder.Report)) w.WriteLine($"report:   {folder.Report}");
        w.WriteLine(string.Create(inv, $"time:     {elapsed.TotalSeconds:0.0} s"));
    }
}
