using Dnas.Hardware;
using Dnas.Search;

namespace Dnas.Report;

/// <summary>Writes a run's <c>report.md</c> and its SVG plots (accuracy vs SRAM, flash and
/// latency; with a comparison set, both searches' fronts in one plot) into the run folder.</summary>
public static class RunReport
{
    public const string ReportFile = "report.md";

    /// <summary>Renders everything first, then writes each file beside its final name and renames
    /// it, plots before the report: a failure leaves no partial file, and a report never links
    /// a plot that is not there. Returns the paths written.</summary>
    /// <exception cref="IOException">The folder cannot be created or written; nothing was written.</exception>
    public static IReadOnlyList<string> Write(RunReportModel model, string runFolder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        var files = new List<(string Name, string Text)>();
        var plots = new List<(string File, string Caption)>();
        foreach (var axis in CostAxis.All)
        {
            if (!model.Candidates.Any(c => ReportPlots.Has(c, axis))) continue;
            string name = $"accuracy-{axis.Name}.svg";
            files.Add((name, ReportPlots.Accuracy(model, axis)));
            plots.Add((name, $"Validation accuracy vs {axis.Phrase}"));
        }
        if (model.Comparison is { } other)
        {
            var axis = CostAxis.Of(model.Objective);
            string name = $"comparison-{axis.Name}.svg";
            files.Add((name, ComparisonPlot(axis.Key, model.Target, model.LatencyLimitMs, (model.CandidatesLabel, model.Candidates), (model.ComparisonLabel, other))));
            plots.Add((name, $"{model.CandidatesLabel} vs {model.ComparisonLabel}: accuracy vs {axis.Phrase}"));
        }
        files.Add((ReportFile, ReportMarkdown.Build(model, plots)));
        return AtomicFiles.WriteAll(Path.GetFullPath(runFolder), files, "the run report");
    }

    /// <summary>Several searches' candidates in one SVG plot of validation accuracy against
    /// <paramref name="costKey"/> (sram, flash or latency_ms): points coloured by search and
    /// shaped by colour mode, each search's feasible Pareto front, the target's limit.</summary>
    public static string ComparisonPlot(string costKey, TargetProfile target, double? latencyLimitMs,
        params (string Label, IReadOnlyList<EvaluatedCandidate> Candidates)[] sets)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (sets.Length == 0) throw new ArgumentException("give at least one candidate set", nameof(sets));
        if (sets.Select(s => s.Label).Distinct().Count() != sets.Length) throw new ArgumentException("candidate sets need distinct labels", nameof(sets));
        return ReportPlots.Comparison(CostAxis.Of(costKey), target, latencyLimitMs, sets);
    }
}
