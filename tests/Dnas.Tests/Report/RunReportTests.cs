using System.Xml.Linq;
using Dnas.Data.Preprocess;
using Dnas.Engine;
using Dnas.Hardware;
using Dnas.Report;
using Dnas.Search;
using Dnas.Supernet;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Report;

/// <summary>report.md and its plots: sections and figures, well-formed SVG with the chosen system
/// marked, optional parts left out, and nothing written where the folder cannot be written.</summary>
public sealed class RunReportTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SearchSpace Space = new([32, 64, 128], [ColorMode.Gray, ColorMode.Rgb], [0.35, 0.5],
        SearchSpace.Default.Depths, [3, 6], [3, 5]);

    private static ModelCost Cost(Genome g) =>
        ModelCost.Compute(SupernetEvaluator.ToSubnet(g, 2).ToMobileNetV2Spec(), new ModelInput(g.Resolution, g.Resolution, g.InChannels),
            new CameraFrame(g.Resolution, g.Resolution, PixelFormat.Gray8), Targets.Nano33Ble);

    /// <summary>Random candidates with real hardware costs and a made-up accuracy that grows with size.</summary>
    private static List<EvaluatedCandidate> Candidates(ulong seed, int count, double accuracyShift = 0)
    {
        var rng = new Rng(seed);
        var objectives = new SearchObjectives
        {
            Costs = ["sram"],
            Limits = new Dictionary<string, double> { ["sram"] = Targets.Nano33Ble.SramBytes, ["flash"] = Targets.Nano33Ble.FlashBytes },
        };
        var list = new List<EvaluatedCandidate>();
        for (int i = 0; i < count; i++)
        {
            var g = Genome.Random(Space, rng);
            var c = Cost(g);
            double acc = Math.Min(0.99, 0.5 + accuracyShift + 0.1 * Math.Log10(c.Macs) / 3 + 0.05 * rng.NextDouble());
            var score = new CandidateScore(acc, new Dictionary<string, double>
            {
                ["sram"] = c.SramBytes, ["flash"] = c.FlashBytes, ["latency_ms"] = c.LatencySeconds * 1000, ["macs"] = c.Macs, ["params"] = c.Params,
            });
            list.Add(new EvaluatedCandidate(g, score, objectives, i / 10, i));
        }
        return list;
    }

    private static RunReportModel FullModel()
    {
        var candidates = Candidates(1, 40);
        var chosen = ParetoFront.ChooseSystem(candidates)!;
        return new RunReportModel
        {
            Candidates = candidates,
            Target = Targets.Nano33Ble,
            LatencyLimitMs = 900,
            Chosen = chosen,
            ChosenCost = Cost(chosen.Genome),
            SearchMode = "data-aware",
            DataSource = "synthetic, 4000 images",
            TestImages = 400,
            SupernetTrainingTime = TimeSpan.FromSeconds(185),
            SearchTime = TimeSpan.FromMinutes(2),
            FinetuneTime = TimeSpan.FromSeconds(42.5),
            TestAccuracyBeforeFinetune = 0.8125,
            TestAccuracy = 0.845,
            Comparison = Candidates(2, 30, -0.05),
            CandidatesLabel = "data-aware",
            ComparisonLabel = "hardware-aware",
            ComparisonTestAccuracy = 0.79,
        };
    }

    private static XDocument ParseSvg(string path)
    {
        var doc = XDocument.Load(path);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        return doc;
    }

    private static IEnumerable<XElement> WithClass(XDocument doc, string cls) =>
        doc.Descendants().Where(e => (string?)e.Attribute("class") == cls);

    [Fact]
    public void TheReportHasEverySectionAndTheFigures()
    {
        var model = FullModel();
        var written = RunReport.Write(model, _dir["run"]);
        if (Environment.GetEnvironmentVariable("DNAS_REPORT_EXAMPLE_DIR") is { Length: > 0 } example) RunReport.Write(model, example);
        string[] expected = ["accuracy-sram.svg", "accuracy-flash.svg", "accuracy-latency.svg", "comparison-sram.svg", "report.md"];
        Assert.Equal(expected.Select(f => _dir["run/" + f]), written);
        Assert.Equal(expected.Order(), Directory.GetFiles(_dir["run"]).Select(Path.GetFileName).Order()); // no temporary files left

        string md = File.ReadAllText(_dir["run/report.md"]);
        foreach (var heading in new[] { "# DNAS run report", "## Chosen system", "### Layers and costs", "## Target", "## Search", "## Plots", "## Pareto front", "## Comparison" })
            Assert.Contains("\n" + heading + "\n", "\n" + md);
        var chosen = model.Chosen!;
        var g = chosen.Genome;
        Assert.Contains($"| data configuration | {g.Resolution}x{g.Resolution} {(g.Color == ColorMode.Gray ? "grayscale" : "RGB")} |", md);
        Assert.Contains($"| genome | `{chosen.Key}` |", md);
        Assert.Contains("| test accuracy after fine-tuning | 84.50 % (400 images) |", md);
        Assert.Contains("| test accuracy before fine-tuning | 81.25 % |", md);
        Assert.Contains($"| peak SRAM | {chosen.Score.Cost("sram") / 1024:0.#} KB of 256 KB (", md);
        Assert.Contains("| latency limit | 900 ms |", md);
        Assert.Contains("| board | nano33ble: Arduino Nano 33 BLE (nRF52840, Cortex-M4F, 64 MHz) |", md);
        Assert.Contains("| candidates evaluated | 40 |", md);
        Assert.Contains("| candidates per minute | 20.0 |", md);
        Assert.Contains("| supernet training time | 3 min 05 s |", md);
        Assert.Contains("| search time | 2 min 00 s |", md);
        Assert.Contains("| fine-tuning time | 42.5 s |", md);
        Assert.Contains("| data-aware | 40 |", md);
        Assert.Contains("| hardware-aware | 30 |", md);
        Assert.Contains("![Validation accuracy vs peak SRAM](accuracy-sram.svg)", md);
        Assert.Contains("(comparison-sram.svg)", md);

        // The layer table: one row per layer, the totals, and the cost summary.
        var cost = model.ChosenCost!;
        Assert.Equal(cost.Layers.Count, cost.Layers.Count(l => md.Contains($"| {l.Name} | {l.Kind} |", StringComparison.Ordinal)));
        Assert.Contains($"| **total** | | | | | | {cost.Macs} | {cost.Params} |", md);
        // The front lists every front candidate once, the chosen one marked.
        var front = ParetoFront.Of(model.Candidates);
        Assert.All(front, c => Assert.Contains($"`{c.Key}` |", md));
        Assert.Contains($"| **chosen** | {g.Resolution} |", md);
        Assert.Single(md.Split('\n'), l => l.Contains("**chosen**", StringComparison.Ordinal));
    }

    [Fact]
    public void PlotsAreWellFormedWithTheChosenSystemFrontsAndLimits()
    {
        var model = FullModel();
        RunReport.Write(model, _dir.Path);
        foreach (var name in new[] { "sram", "flash", "latency" })
        {
            var doc = ParseSvg(_dir[$"accuracy-{name}.svg"]);
            var chosen = Assert.Single(WithClass(doc, "chosen"));
            Assert.Contains(model.Chosen!.Genome.Resolution + " px", chosen.Value);
            Assert.Single(WithClass(doc, "pareto"));
            Assert.Single(WithClass(doc, "constraints").Single().Elements(Svg + "line"));
            Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.Contains("limit", StringComparison.Ordinal));
            // Points: coloured by resolution (a group per resolution), shaped by colour mode.
            var groups = WithClass(doc, "points").Single().Elements(Svg + "g").Select(e => (string?)e.Attribute("data-group")).ToList();
            Assert.Equal(model.Candidates.Select(c => c.Genome.Resolution).Distinct().Order().Select(r => r + " px"), groups);
            Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "Colour mode");
        }
        var cmp = ParseSvg(_dir["comparison-sram.svg"]);
        Assert.Equal(2, WithClass(cmp, "pareto-more").Count());
        Assert.Contains(cmp.Descendants(Svg + "text"), t => t.Value == "front: hardware-aware");
        Assert.Empty(WithClass(cmp, "chosen"));
    }

    [Fact]
    public void MissingOptionalFieldsAreLeftOut()
    {
        var candidates = Candidates(3, 12);
        RunReport.Write(new RunReportModel { Candidates = candidates, Target = Targets.Rp2040 }, _dir.Path);
        string md = File.ReadAllText(_dir["report.md"]);
        foreach (var absent in new[] { "## Chosen system", "Layers and costs", "## Comparison", "test accuracy", "training time", "search time",
                     "per minute", "fine-tuning time", "latency limit", "| mode |", "n/a", "null", "unknown", "N/A" })
            Assert.DoesNotContain(absent, md);
        Assert.Contains("| candidates evaluated | 12 |", md);
        Assert.Contains("## Pareto front", md);
        // No latency limit: the latency plot has no limit line; no chosen system: nothing marked.
        var latency = ParseSvg(_dir["accuracy-latency.svg"]);
        Assert.Empty(WithClass(latency, "constraints").Single().Elements());
        Assert.Empty(WithClass(latency, "chosen"));
        Assert.False(File.Exists(_dir["comparison-sram.svg"]));
    }

    [Fact]
    public void NoFeasibleCandidateIsSaid()
    {
        var tiny = Targets.Nano33Ble with { SramBytes = 1024 };
        var candidates = Candidates(4, 5).Select(c => new EvaluatedCandidate(c.Genome, c.Score,
            new SearchObjectives { Limits = new Dictionary<string, double> { ["sram"] = 1024 } }, 0, c.Index)).ToList();
        RunReport.Write(new RunReportModel { Candidates = candidates, Target = tiny }, _dir.Path);
        string md = File.ReadAllText(_dir["report.md"]);
        Assert.Contains("No candidate met the target's limits", md);
        Assert.DoesNotContain("## Pareto front", md);
        Assert.Contains("| feasible candidates | 0 |", md);
    }

    [Fact]
    public void NothingIsWrittenWhereTheFolderCannotBeWritten()
    {
        var model = FullModel();
        string file = _dir.WriteText("not-a-folder", "x");
        var e = Assert.Throws<IOException>(() => RunReport.Write(model, Path.Combine(file, "run")));
        Assert.Contains($"cannot write the run report in {Path.Combine(file, "run")}", e.Message);
        Assert.Equal("x", File.ReadAllText(file));

        // A folder where report.md belongs: found before anything is renamed into place.
        Directory.CreateDirectory(_dir["run/report.md"]);
        e = Assert.Throws<IOException>(() => RunReport.Write(model, _dir["run"]));
        Assert.Contains("report.md is a folder", e.Message);
        Assert.Equal([_dir["run/report.md"]], Directory.GetFileSystemEntries(_dir["run"]));
    }

    [Fact]
    public void ComparisonPlotStandsAlone()
    {
        var svg = RunReport.ComparisonPlot("latency_ms", Targets.Nano33Ble, 500,
            ("data-aware", Candidates(5, 10)), ("hardware-aware", Candidates(6, 10)));
        var doc = XDocument.Parse(svg);
        Assert.Equal(2, WithClass(doc, "pareto-more").Count());
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.StartsWith("latency limit 500", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => RunReport.ComparisonPlot("sram", Targets.Nano33Ble, null, ("a", Candidates(5, 2)), ("a", Candidates(6, 2))));
        Assert.Throws<ArgumentException>(() => RunReport.ComparisonPlot("energy", Targets.Nano33Ble, null, ("a", Candidates(5, 2))));
    }
}
