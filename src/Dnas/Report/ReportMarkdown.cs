using System.Text;
using Dnas.Data.Preprocess;
using Dnas.Engine.Models;
using Dnas.Hardware;
using Dnas.Search;

namespace Dnas.Report;

/// <summary>The text of <c>report.md</c>. Sections and rows appear only when their data is in
/// the model.</summary>
internal static class ReportMarkdown
{
    /// <param name="plots">the plot files written next to the report, with their captions</param>
    public static string Build(RunReportModel m, IReadOnlyList<(string File, string Caption)> plots)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(Format.Cell(m.Title)).AppendLine();
        ChosenSystem(sb, m);
        Target(sb, m);
        Search(sb, m);
        if (plots.Count > 0)
        {
            sb.AppendLine("## Plots").AppendLine();
            foreach (var (file, caption) in plots) sb.AppendLine($"![{caption}]({file})").AppendLine();
        }
        Front(sb, m);
        Comparison(sb, m);
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, string? value)
    {
        if (value is not null) sb.AppendLine($"| {name} | {Format.Cell(value)} |");
    }

    private static void ChosenSystem(StringBuilder sb, RunReportModel m)
    {
        if (m.Chosen is not { } c)
        {
            if (m.Candidates.Count > 0 && !m.Candidates.Any(c => c.Feasible))
                sb.AppendLine("No candidate met the target's limits: no system was chosen.").AppendLine();
            return;
        }
        var g = c.Genome;
        sb.AppendLine("## Chosen system").AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        Row(sb, "data configuration", $"{g.Resolution}x{g.Resolution} {(g.Color == ColorMode.Gray ? "grayscale" : "RGB")}");
        Row(sb, "data source", m.DataSource);
        Row(sb, "network", $"MobileNetV2, width {Format.Number(g.Width, "0.###")}, {g.BlockCount} blocks (depths {string.Join(", ", g.Depths)})");
        Row(sb, "genome", $"`{g.Key}`");
        Row(sb, "validation accuracy (supernet weights)", Format.Pct(c.Accuracy));
        Row(sb, "test accuracy before fine-tuning", m.TestAccuracyBeforeFinetune is double b ? Format.Pct(b) : null);
        Row(sb, "test accuracy after fine-tuning", m.TestAccuracy is double t ? Format.Pct(t) + (m.TestImages is int n ? $" ({n} images)" : "") : null);
        Row(sb, "int8 test accuracy (model.tflite)", m.Int8TestAccuracy is double q
            ? Format.Pct(q) + (m.FloatTestAccuracy is double f ? $" (float graph {Format.Pct(f)})" : "") : null);
        Row(sb, "int8 vs float top-1 agreement (test)", m.Int8TestAgreement is double a ? Format.Pct(a) : null);
        Row(sb, "model.tflite size", m.Int8ModelBytes is long size ? Format.Kb(size) : null);
        foreach (var axis in CostAxis.All)
            if (c.Score.Costs.TryGetValue(axis.Key, out var v)) Row(sb, axis.Phrase, Format.Cost(axis.Key, v) + Of(m, axis.Key));
        if (c.Score.Costs.TryGetValue("macs", out var macs)) Row(sb, "MACs", Format.Count(macs));
        if (c.Score.Costs.TryGetValue("params", out var p)) Row(sb, "parameters", Format.Count(p));
        sb.AppendLine();
        Stages(sb, g);
        if (m.ChosenCost is { } cost) Layers(sb, cost);
    }

    /// <summary>" of 256 KB (47 %)" against the target's limit, when there is one.</summary>
    private static string Of(RunReportModel m, string key)
    {
        double? limit = key switch { "sram" => m.Target.SramBytes, "flash" => m.Target.FlashBytes, _ => m.LatencyLimitMs };
        var c = m.Chosen!.Score.Costs[key];
        return limit is double l ? $" of {Format.Cost(key, l)} ({Format.Number(100 * c / l, "0")} %)" : "";
    }

    /// <summary>The network genes stage by stage.</summary>
    private static void Stages(StringBuilder sb, Genome g)
    {
        sb.AppendLine("| stage | blocks | stride | channels | expansion | kernel |").AppendLine("|---|---|---|---|---|---|");
        for (int s = 0; s < SearchSpace.StageCount; s++)
        {
            var (_, ch, _, stride) = MobileNetV2Spec.Table[s];
            sb.AppendLine($"| {s + 1} | {g.Depths[s]} | {stride} | {MobileNetV2Spec.MakeDivisible(ch * g.Width)} | " +
                $"{string.Join(", ", g.StageExpansions(s))} | {string.Join(", ", g.StageKernels(s))} |");
        }
        sb.AppendLine();
    }

    private static void Layers(StringBuilder sb, ModelCost cost)
    {
        static string Shape(IReadOnlyList<int> s) => string.Join("x", s);
        sb.AppendLine("### Layers and costs").AppendLine();
        sb.AppendLine("| layer | kind | input | output | k | s | MACs | params | weights B | bias B | quant B | cycles |");
        sb.AppendLine("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var l in cost.Layers)
            sb.AppendLine($"| {Format.Cell(l.Name)} | {l.Kind} | {Shape(l.InputShape)} | {Shape(l.OutputShape)} | {l.Kernel} | {l.Stride} | " +
                $"{l.Macs} | {l.Params} | {l.WeightBytes} | {l.BiasBytes} | {l.QuantBytes} | {Format.Number(l.Cycles, "0")} |");
        sb.AppendLine($"| **total** | | | | | | {cost.Macs} | {cost.Params} | {cost.WeightBytes} | {cost.BiasBytes} | {cost.QuantBytes} | {Format.Number(cost.Cycles, "0")} |");
        sb.AppendLine();
        sb.AppendLine($"Flash {Format.Kb(cost.FlashBytes)} (model {Format.Kb(cost.ModelDataBytes)} + code {Format.Kb(cost.Target.CodeSizeBytes)}); " +
            $"SRAM {Format.Kb(cost.SramBytes)} (arena {Format.Kb(cost.ArenaBytes)}{(cost.InPlaceAdd ? ", in-place ADD" : "")} + camera frame " +
            $"{cost.Camera.Width}x{cost.Camera.Height} {cost.Camera.Format} {Format.Kb(cost.CameraBytes)}); " +
            $"latency {Format.Ms(cost.LatencySeconds * 1000)} at {Format.Number(cost.Target.ClockHz / 1e6, "0.#")} MHz (estimated cycle costs).");
        sb.AppendLine();
    }

    private static void Target(StringBuilder sb, RunReportModel m)
    {
        var t = m.Target;
        sb.AppendLine("## Target").AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        Row(sb, "board", $"{t.Name}: {t.Description}");
        Row(sb, "SRAM", Format.Kb(t.SramBytes));
        Row(sb, "flash", Format.Kb(t.FlashBytes));
        Row(sb, "clock", Format.Number(t.ClockHz / 1e6, "0.#") + " MHz");
        Row(sb, "latency limit", m.LatencyLimitMs is double l ? Format.Ms(l) : null);
        sb.AppendLine();
    }

    private static void Search(StringBuilder sb, RunReportModel m)
    {
        int evaluated = m.CandidatesEvaluated ?? m.Candidates.Count;
        sb.AppendLine("## Search").AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        Row(sb, "mode", m.SearchMode);
        Row(sb, "objective", $"maximise validation accuracy, minimise {CostAxis.All.FirstOrDefault(a => a.Key == m.Objective)?.Phrase ?? m.Objective}");
        Row(sb, "candidates evaluated", evaluated.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row(sb, "feasible candidates", m.Candidates.Count(c => c.Feasible).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row(sb, "supernet training time", m.SupernetTrainingTime is { } st ? Format.Duration(st) : null);
        Row(sb, "search time", m.SearchTime is { } s ? Format.Duration(s) : null);
        Row(sb, "candidates per minute", m.SearchTime is { TotalMinutes: > 0 } t ? Format.Number(evaluated / t.TotalMinutes, "0.0") : null);
        Row(sb, "fine-tuning time", m.FinetuneTime is { } f ? Format.Duration(f) : null);
        sb.AppendLine();
    }

    private static void Front(StringBuilder sb, RunReportModel m)
    {
        var front = ParetoFront.Of(m.Candidates);
        if (front.Count == 0) return;
        sb.AppendLine("## Pareto front").AppendLine();
        sb.AppendLine("Feasible candidates no other feasible candidate beats on accuracy and the objective, best accuracy first.").AppendLine();
        sb.AppendLine("| | resolution | colour | width | accuracy | SRAM | flash | latency | MACs | genome |");
        sb.AppendLine("|---|--:|---|--:|--:|--:|--:|--:|--:|---|");
        foreach (var c in front)
        {
            string Cost(string key) => c.Score.Costs.TryGetValue(key, out var v) ? Format.Cost(key, v) : "";
            var g = c.Genome;
            sb.AppendLine($"| {(m.Chosen is { } ch && ch.Key == c.Key ? "**chosen**" : "")} | {g.Resolution} | {(g.Color == ColorMode.Gray ? "gray" : "rgb")} | " +
                $"{Format.Number(g.Width, "0.###")} | {Format.Pct(c.Accuracy)} | {Cost("sram")} | {Cost("flash")} | {Cost("latency_ms")} | {Cost("macs")} | `{c.Key}` |");
        }
        sb.AppendLine();
    }

    private static void Comparison(StringBuilder sb, RunReportModel m)
    {
        if (m.Comparison is not { } other) return;
        sb.AppendLine("## Comparison").AppendLine();
        sb.AppendLine("| search | candidates | feasible | Pareto front | best feasible validation accuracy | test accuracy after fine-tuning |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|");
        void Line(string label, IReadOnlyList<EvaluatedCandidate> set, double? test)
        {
            var best = ParetoFront.ChooseSystem(set);
            sb.AppendLine($"| {Format.Cell(label)} | {set.Count} | {set.Count(c => c.Feasible)} | {ParetoFront.Of(set).Count} | " +
                $"{(best is null ? "none feasible" : Format.Pct(best.Accuracy))} | {(test is double t ? Format.Pct(t) : "")} |");
        }
        Line(m.CandidatesLabel, m.Candidates, m.TestAccuracy);
        Line(m.ComparisonLabel, other, m.ComparisonTestAccuracy);
        sb.AppendLine();
    }
}
