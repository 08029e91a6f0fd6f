using Dnas.Config;

namespace Dnas.Pipeline;

/// <summary>Stage 5: report.md and its plots from the run folder's records.</summary>
public static class RunReportStage
{
    public static void Write(DnasConfig config, RunFolder folder)
    {
        var search = StageRecord.Load(folder.StageRecord(SearchStage.Name));
        AtomicFile.WriteAllText(folder.Report, $"# DnasToolchain run\n\nchosen: {search?.Results["chosen"]?["key"]}\n");
    }
}
