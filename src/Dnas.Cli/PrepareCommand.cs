using System.CommandLine;
using System.Globalization;
using Dnas.Config;
using Dnas.Data.Sources;
using Dnas.Data.Store;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Dnas.Cli;

/// <summary><c>dnas prepare [-c|--config dnas.yaml] [--out DIR]</c>: builds or reuses the
/// prepared data store and prints a summary.</summary>
internal static class PrepareCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, bool interactive)
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "the configuration file",
            DefaultValueFactory = _ => "dnas.yaml",
        };
        var output = new Option<string?>("--out")
        {
            Description = "the store folder (default: <output>/data, output being dnas.yaml's run folder)",
        };
        var command = new Command("prepare", "Decode, crop and resize the configured data set once into the prepared store (reused while sources and settings are unchanged).")
        {
            config,
            output,
        };
        command.SetAction((parse, cancel) =>
            Task.FromResult(Run(parse.GetValue(config)!, parse.GetValue(output), stdout, stderr, interactive, cancel)));
        return command;
    }

    private static int Run(string configPath, string? outDir, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancel)
    {
        try
        {
            var config = DnasConfig.Load(configPath);
            string? store = outDir is null ? null : Path.GetFullPath(outDir);
            var result = interactive
                ? WithProgressBar(stderr, progress => DataPreparation.Prepare(config, store, progress, cancel))
                : DataPreparation.Prepare(config, store, null, cancel);
            foreach (var w in result.Warnings) stderr.WriteLine(w);
            Summary(stdout, result);
            return Program.Ok;
        }
        catch (DiagnosticException e)
        {
            foreach (var d in e.Diagnostics) stderr.WriteLine(d);
            return Program.DataError;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("dnas: interrupted; no store was written");
            return Program.Interrupted;
        }
    }

    private sealed class Callback<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    /// <summary>Renders the build's own rate and ETA (from the progress events).</summary>
    private sealed class RateColumn(Func<string> text) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Text(text());
    }

    private static PrepareResult WithProgressBar(TextWriter stderr, Func<IProgress<PrepareProgress>, PrepareResult> run)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
        string status = "";
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new RateColumn(() => status), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("checking");
                task.IsIndeterminate = true;
                var progress = new Callback<PrepareProgress>(p =>
                {
                    switch (p.Phase)
                    {
                        case PreparePhase.Checking: task.Description = "checking"; break;
                        case PreparePhase.Scanning: task.Description = "scanning"; break;
                        case PreparePhase.Building:
                            task.IsIndeterminate = false;
                            task.Description = "images";
                            task.MaxValue = Math.Max(1, p.Total);
                            task.Value = p.Done;
                            string eta = p.Eta is { } e ? e.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "-";
                            string bad = p.Bad > 0 ? string.Create(CultureInfo.InvariantCulture, $"  {p.Bad} bad") : "";
                            status = string.Create(CultureInfo.InvariantCulture, $"{p.Done}/{p.Total} {p.ImagesPerSecond:0} img/s ETA {eta}{bad}");
                            break;
                        case PreparePhase.Done:
                            task.IsIndeterminate = false;
                            task.MaxValue = Math.Max(1, p.Total);
                            task.Value = task.MaxValue;
                            break;
                    }
                });
                var result = run(progress);
                task.StopTask();
                return result;
            });
    }

    internal static void Summary(TextWriter w, PrepareResult result)
    {
        var index = result.Index;
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine(result.Reused
            ? $"store:   {result.Directory} (reused: sources and settings unchanged)"
            : $"store:   {result.Directory} (rebuilt{(result.RebuildReason is { } r ? ": " + r : "")})");
        w.WriteLine($"source:  {index.Source}");
        w.WriteLine($"images:  {index.Spec}, {index.Count} stored, split {index.SplitFractions}, seed {index.Seed}");
        var counts = index.Counts();
        int nameWidth = Math.Max(5, index.Classes.Max(c => c.Length));
        w.WriteLine($"  {"class".PadRight(nameWidth)}  {"train",7} {"val",7} {"test",7} {"total",7}");
        var totals = new int[4];
        for (int c = 0; c < index.Classes.Count; c++)
        {
            int sum = counts[c, 0] + counts[c, 1] + counts[c, 2];
            w.WriteLine(string.Create(inv, $"  {index.Classes[c].PadRight(nameWidth)}  {counts[c, 0],7} {counts[c, 1],7} {counts[c, 2],7} {sum,7}"));
            for (int s = 0; s < 3; s++) totals[s] += counts[c, s];
            totals[3] += sum;
        }
        w.WriteLine(string.Create(inv, $"  {"total".PadRight(nameWidth)}  {totals[0],7} {totals[1],7} {totals[2],7} {totals[3],7}"));
        if (index.Bad.Count == 0) w.WriteLine(string.Create(inv, $"bad:     none of {index.SourceItems} items"));
        else
        {
            var byReason = index.Bad.GroupBy(b => b.Reason).OrderBy(g => g.Key).Select(g => $"{g.Count()} {BadItem.ReasonText(g.Key)}");
            w.WriteLine(string.Create(inv, $"bad:     {index.Bad.Count} of {index.SourceItems} items skipped ({string.Join(", ", byReason)})"));
        }
        w.WriteLine(result.Reused
            ? string.Create(inv, $"time:    {result.Elapsed.TotalSeconds:0.00} s")
            : string.Create(inv, $"time:    {result.Elapsed.TotalSeconds:0.00} s ({result.ImagesPerSecond:0} images/s)"));
    }
}
