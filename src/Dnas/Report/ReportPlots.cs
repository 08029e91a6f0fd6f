using System.Globalization;
using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Dnas.Report.Svg;
using Dnas.Search;

namespace Dnas.Report;

/// <summary>A cost the report plots accuracy against: its candidate cost key, axis and file.</summary>
/// <param name="Phrase">the label inside a sentence ("peak SRAM")</param>
internal sealed record CostAxis(string Key, string Label, string Phrase, AxisUnit Unit, string Name)
{
    public static readonly IReadOnlyList<CostAxis> All =
    [
        new("sram", "Peak SRAM", "peak SRAM", AxisUnit.Bytes, "sram"),
        new("flash", "Flash", "flash", AxisUnit.Bytes, "flash"),
        new("latency_ms", "Latency", "latency", AxisUnit.Milliseconds, "latency"),
    ];

    public static CostAxis Of(string key) => All.FirstOrDefault(a => a.Key == key)
        ?? throw new ArgumentException($"no plot axis for cost '{key}' (known: {string.Join(", ", All.Select(a => a.Key))})", nameof(key));

    /// <summary>The target's limit on this cost, if it has one.</summary>
    public ConstraintLine? Limit(TargetProfile target, double? latencyLimitMs) => Key switch
    {
        "sram" => new(LineOrientation.Vertical, target.SramBytes, $"SRAM limit {Format.Kb(target.SramBytes)}"),
        "flash" => new(LineOrientation.Vertical, target.FlashBytes, $"flash limit {Format.Kb(target.FlashBytes)}"),
        "latency_ms" when latencyLimitMs is double ms => new(LineOrientation.Vertical, ms, $"latency limit {Format.Ms(ms)}"),
        _ => null,
    };
}

/// <summary>The report's SVG plots: validation accuracy (y, %) against one cost (x).</summary>
internal static class ReportPlots
{
    public static bool Has(EvaluatedCandidate c, CostAxis axis) => c.Score.Costs.ContainsKey(axis.Key);

    private static string ColorName(ColorMode c) => c == ColorMode.Gray ? "gray" : "rgb";

    private static PlotPoint Point(EvaluatedCandidate c, CostAxis axis, string colorGroup) =>
        new(c.Score.Costs[axis.Key], c.Accuracy * 100, colorGroup, ColorName(c.Genome.Color),
            $"{c.Key}\naccuracy {Format.Pct(c.Accuracy)}, {axis.Phrase} {Format.Cost(axis.Key, c.Score.Costs[axis.Key])}{(c.Feasible ? "" : " (infeasible)")}");

    /// <summary>The staircase of the feasible candidates: only they can be chosen.</summary>
    private static List<(double X, double Y)> Front(IEnumerable<EvaluatedCandidate> candidates, CostAxis axis) =>
        candidates.Where(c => c.Feasible && Has(c, axis)).Select(c => (c.Score.Costs[axis.Key], c.Accuracy * 100)).ToList();

    private static ScatterPlot NewPlot(string title, CostAxis axis, TargetProfile target, double? latencyLimitMs)
    {
        var plot = new ScatterPlot { Title = title, ShapeTitle = "Colour mode", IdPrefix = axis.Name };
        plot.X.Label = axis.Label;
        plot.X.Unit = axis.Unit;
        plot.Y.Label = "Validation accuracy";
        plot.Y.Unit = AxisUnit.Plain("%");
        plot.ShapeOrder.AddRange(["gray", "rgb"]);
        plot.ShapeOf["gray"] = MarkerShape.Circle;
        plot.ShapeOf["rgb"] = MarkerShape.Triangle;
        if (axis.Limit(target, latencyLimitMs) is { } limit) plot.Constraints.Add(limit);
        return plot;
    }

    /// <summary>Accuracy against <paramref name="axis"/>: points coloured by resolution and shaped
    /// by colour mode, the feasible front, the target's limit and the chosen system.</summary>
    public static string Accuracy(RunReportModel model, CostAxis axis)
    {
        var plot = NewPlot($"Accuracy vs {axis.Phrase} on {model.Target.Name}", axis, model.Target, model.LatencyLimitMs);
        plot.ColorTitle = "Resolution";
        var candidates = model.Candidates.Where(c => Has(c, axis)).ToList();
        plot.ColorOrder.AddRange(candidates.Select(c => c.Genome.Resolution).Distinct().Order().Select(Resolution));
        plot.Points.AddRange(candidates.Select(c => Point(c, axis, Resolution(c.Genome.Resolution))));
        plot.ParetoFront.AddRange(Front(candidates, axis));
        plot.ParetoLabel = "Pareto front (feasible)";
        if (model.Chosen is { } chosen && Has(chosen, axis))
            plot.Chosen = new ChosenPoint(chosen.Score.Costs[axis.Key], chosen.Accuracy * 100,
                $"chosen: {Resolution(chosen.Genome.Resolution)} {ColorName(chosen.Genome.Color)}, {Format.Pct(chosen.Accuracy)}",
                Resolution(chosen.Genome.Resolution), ColorName(chosen.Genome.Color));
        return plot.Render();
    }

    private static string Resolution(int r) => r.ToString(CultureInfo.InvariantCulture) + " px";

    /// <summary>Several candidate sets in one plot: points coloured by set and shaped by colour
    /// mode, each set's feasible front in its colour.</summary>
    public static string Comparison(CostAxis axis, TargetProfile target, double? latencyLimitMs,
        IReadOnlyList<(string Label, IReadOnlyList<EvaluatedCandidate> Candidates)> sets)
    {
        var plot = NewPlot($"Pareto fronts: {string.Join(" vs ", sets.Select(s => s.Label))}", axis, target, latencyLimitMs);
        plot.ColorTitle = "Search";
        foreach (var (label, candidates) in sets)
        {
            plot.ColorOrder.Add(label);
            plot.Points.AddRange(candidates.Where(c => Has(c, axis)).Select(c => Point(c, axis, label)));
            plot.MoreFronts.Add(new FrontSeries($"front: {label}", Front(candidates, axis), label));
        }
        return plot.Render();
    }
}
