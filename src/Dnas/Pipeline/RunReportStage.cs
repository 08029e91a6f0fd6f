using Dnas.Config;
using Dnas.Report;
using Dnas.Search;

namespace Dnas.Pipeline;

/// <summary>Stage 5: report.md and its SVG plots, from the run folder's stage records and
/// candidates.jsonl (so <c>dnas report</c> can redraw a finished run without recomputing).</summary>
public static class RunReportStage
{
    public static IReadOnlyList<string> Write(DnasConfig config, RunFolder folder)
    {
        var search = StageRecord.Load(folder.StageRecord(SearchStage.Name))
            ?? throw new PipelineException(Config.Diagnostic.Error(DiagnosticCodes.MissingStage,
                $"no finished search in {folder.Root} to report on; run 'dnas run' (or 'dnas search') first"));
        var candidates = SearchStage.Candidates(config, folder);
        var supernet = StageRecord.Load(folder.StageRecord(SupernetStage.Name));
        var finetune = StageRecord.Load(folder.StageRecord(FinetuneStage.Name));
        var export = StageRecord.Load(folder.StageRecord(ExportStage.Name));
        var chosen = ParetoFront.ChooseSystem(candidates);
        using var data = RunData.Open(folder.Data);
        var model = new RunReportModel
        {
            Candidates = candidates,
            Target = config.Target.Profile,
            LatencyLimitMs = config.Target.LatencyLimitMs,
            Chosen = chosen,
            ChosenCost = chosen is null ? null : SupernetEvaluator.Cost(chosen.Genome, config.Target.CameraFor(chosen.Genome.Resolution, chosen.Genome.Color),
                config.Target.Profile, data.Classes.Count),
            SearchMode = (string?)search.Results["mode"],
            Objective = config.Search.Objective,
            DataSource = $"{data.Store.Index.Source}; classes {string.Join(", ", data.Classes)}; {data.Train.Length} train / {data.Val.Length} val / {data.Test.Length} test images",
            SupernetTrainingTime = (string?)search.Results["evaluator"] == "supernet" && supernet is not null ? TimeSpan.FromSeconds(supernet.Seconds) : null,
            SearchTime = TimeSpan.FromSeconds(search.Seconds),
            CandidatesEvaluated = (int?)search.Results["fresh_evaluations"],
            FinetuneTime = finetune is null ? null : TimeSpan.FromSeconds(finetune.Seconds),
            TestImages = (int?)finetune?.Results["test_images"],
            TestAccuracyBeforeFinetune = (double?)finetune?.Results["test_accuracy_before"],
            TestAccuracy = (double?)finetune?.Results["test_accuracy"],
            Int8TestAccuracy = (double?)export?.Results["test"]?["int8_accuracy"],
            FloatTestAccuracy = (double?)export?.Results["test"]?["float_accuracy"],
            Int8TestAgreement = (double?)export?.Results["test"]?["agreement"],
            Int8ModelBytes = (long?)export?.Results["model_bytes"],
        };
        return RunReport.Write(model, folder.Root);
    }
}
