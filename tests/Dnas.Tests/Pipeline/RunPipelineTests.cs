using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Pipeline;
using Dnas.Search;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Pipeline;

/// <summary>The pipeline end to end on a tiny synthetic problem: determinism, the stage cache,
/// interruption and bit-exact resumption at every stage, the non-supernet baseline.</summary>
public class RunPipelineTests
{
    /// <summary>A configuration small enough to run in a few seconds.</summary>
    internal static DnasConfig Tiny(string folder, ulong seed = 7)
    {
        var config = DnasConfig.Parse("""
            data:
              source: synthetic
              images: 160
              split: { train: 0.6, val: 0.2, test: 0.2 }
            search_space:
              resolutions: [16, 24]
            target:
              board: nano33ble
            """, "dnas.yaml", folder);
        return config with
        {
            OutputDirectory = Path.Combine(folder, "run"),
            SearchSpace = config.SearchSpace with
            {
                Colors = [ColorMode.Gray, ColorMode.Rgb],
                Widths = [0.35, 0.5],
                Depths = [new(1, 1), new(1, 2), new(1, 2), new(1, 1), new(1, 2), new(1, 1), new(1, 1)],
                Expansions = [3, 6],
                Kernels = [3, 5],
            },
            Supernet = new SupernetConfig { Steps = 6, Batch = 8, CheckpointMinutes = 0 },
            Search = new SearchConfig { Population = 4, Generations = 2, Seed = seed, CalibrationImages = 16, ValidationImages = 24, ScratchSteps = 2 },
            Finetune = new FinetuneConfig { Epochs = 0.5, Batch = 8 },
        };
    }

    internal sealed class Recorder : IPipelineObserver
    {
        public readonly List<(string Stage, bool Reused)> Finished = [];
        public Action<StageProgress>? OnProgress;
        public void StageStarted(string stage) { }
        public void Progress(StageProgress progress) => OnProgress?.Invoke(progress);
        public void Note(string line) { }
        public void StageFinished(string stage, StageRecord? record, bool reused) => Finished.Add((stage, reused));
    }

    private static byte[] Bytes(DnasConfig c, string file) => File.ReadAllBytes(Path.Combine(c.OutputDirectory, file));

    [Fact]
    public void SameSeedSameResultAndASecondRunReusesEveryStage()
    {
        using var dir = new TempDir();
        var a = Tiny(dir["a"]);
        var b = Tiny(dir["b"]);
        RunPipeline.Run(a, PipelineStage.Report, new(), new Recorder());
        RunPipeline.Run(b, PipelineStage.Report, new(), new Recorder());
        Assert.Equal(Bytes(a, "candidates.jsonl"), Bytes(b, "candidates.jsonl"));
        Assert.Equal(Bytes(a, "model.weights"), Bytes(b, "model.weights"));
        Assert.Equal(Bytes(a, "supernet.ckpt"), Bytes(b, "supernet.ckpt"));
        Assert.True(File.Exists(Path.Combine(a.OutputDirectory, "report.md")));

        var again = new Recorder();
        RunPipeline.Run(a, PipelineStage.Report, new(), again);
        Assert.Equal([("prepare", true), ("supernet", true), ("search", true), ("finetune", true), ("export", true), ("firmware", true), ("report", false)], again.Finished);
        Assert.Equal(Bytes(b, "model.weights"), Bytes(a, "model.weights"));
        Assert.Equal(Bytes(b, "firmware/model_model.c"), Bytes(a, "firmware/model_model.c"));
    }

    [Fact]
    public void TheFirmwareStageRegeneratesDeletedFilesAndTheManifestListsThem()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        var firmware = dir["fw"];
        var options = new PipelineOptions { FirmwareDirectory = firmware };
        RunPipeline.Run(config, PipelineStage.Report, options, new Recorder());
        var generated = File.ReadAllLines(Path.Combine(config.OutputDirectory, "generated.txt"));
        Assert.Contains(Path.Combine(firmware, "model_model.c"), generated);
        Assert.All(generated, f => Assert.True(f.StartsWith(firmware, StringComparison.Ordinal) && File.Exists(f), f));

        // A build's clean deletes the files: the stage must not be reused then.
        File.Delete(Path.Combine(firmware, "model_model.c"));
        var r = new Recorder();
        RunPipeline.Run(config, PipelineStage.Report, options, r);
        Assert.Contains(("export", true), r.Finished);
        Assert.Contains(("firmware", false), r.Finished);
        Assert.True(File.Exists(Path.Combine(firmware, "model_model.c")));
    }

    [Fact]
    public void ChangingTheTargetRerunsOnlyTheSearchAndWhatFollows()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        RunPipeline.Run(config, PipelineStage.Finetune, new(), new Recorder());
        var changed = config with { Target = config.Target with { Profile = Dnas.Hardware.Targets.Get("stm32h743") } };
        var r = new Recorder();
        RunPipeline.Run(changed, PipelineStage.Finetune, new(), r);
        Assert.Equal([("prepare", true), ("supernet", true), ("search", false), ("finetune", false)], r.Finished);
    }

    [Theory]
    [InlineData("supernet", 3)]
    [InlineData("search", 5)]
    [InlineData("finetune", 2)]
    public void AnInterruptedStageResumesBitExactly(string stage, int afterEvents)
    {
        using var dir = new TempDir();
        var straight = Tiny(dir["straight"]);
        RunPipeline.Run(straight, PipelineStage.Finetune, new(), new Recorder());

        var config = Tiny(dir["interrupted"]);
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var r = new Recorder { OnProgress = p => { if (p.Stage == stage && ++seen == afterEvents) cts.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => RunPipeline.Run(config, PipelineStage.Finetune, new(), r, cts.Token));

        // Without a decision the run refuses to throw the interrupted work away...
        var e = Assert.Throws<PipelineException>(() => RunPipeline.Run(config, PipelineStage.Finetune, new(), new Recorder()));
        Assert.Equal(DiagnosticCodes.Unfinished, e.Diagnostics[0].Code);
        Assert.Contains("--resume", e.Message);
        // ...and with --resume it ends exactly where the uninterrupted run ended.
        RunPipeline.Run(config, PipelineStage.Finetune, new() { Stage = new() { Resume = true } }, new Recorder());
        Assert.Equal(Bytes(straight, "supernet.ckpt"), Bytes(config, "supernet.ckpt"));
        Assert.Equal(Bytes(straight, "candidates.jsonl"), Bytes(config, "candidates.jsonl"));
        Assert.Equal(Bytes(straight, "model.weights"), Bytes(config, "model.weights"));
    }

    [Fact]
    public void RestartDiscardsTheInterruptedStageAndResumeAndRestartExcludeEachOther()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        using var cts = new CancellationTokenSource();
        var r = new Recorder { OnProgress = p => { if (p.Stage == "supernet" && p.Done == 2) cts.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => RunPipeline.Run(config, PipelineStage.Train, new(), r, cts.Token));
        var both = Assert.Throws<PipelineException>(() => RunPipeline.Run(config, PipelineStage.Train, new() { Stage = new() { Resume = true, Restart = true } }, new Recorder()));
        Assert.Contains("exclude", both.Message);
        RunPipeline.Run(config, PipelineStage.Train, new() { Stage = new() { Restart = true } }, new Recorder());
        Assert.Equal(6, (int)StageRecord.Load(new RunFolder(config.OutputDirectory).StageRecord("supernet"))!.Results["steps"]!);
    }

    [Fact]
    public void ResumingAfterTheConfigurationChangedIsRefused()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        using var cts = new CancellationTokenSource();
        var r = new Recorder { OnProgress = p => { if (p.Stage == "supernet" && p.Done == 2) cts.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => RunPipeline.Run(config, PipelineStage.Train, new(), r, cts.Token));
        var changed = config with { Supernet = config.Supernet with { LearningRate = 0.01 } };
        var e = Assert.Throws<PipelineException>(() => RunPipeline.Run(changed, PipelineStage.Train, new() { Stage = new() { Resume = true } }, new Recorder()));
        Assert.Contains("inputs", e.Message);
        Assert.Contains("--restart", e.Message);
    }

    [Fact]
    public void TheNoSupernetBaselineTrainsEachCandidateAndSkipsTheSupernet()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        var r = new Recorder();
        RunPipeline.Run(config, PipelineStage.Finetune, new() { NoSupernet = true }, r);
        Assert.DoesNotContain(r.Finished, f => f.Stage == "supernet");
        var folder = new RunFolder(config.OutputDirectory);
        var search = StageRecord.Load(folder.StageRecord("search"))!;
        Assert.Equal("scratch", (string?)search.Results["evaluator"]);
        var finetune = StageRecord.Load(folder.StageRecord("finetune"))!;
        Assert.False((bool)finetune.Results["inherited_weights"]!);
        Assert.False(File.Exists(folder.SupernetCheckpoint));
    }

    [Fact]
    public void EveryCandidateIsLoggedAndTheChosenSystemIsTheMostAccurateFeasibleOne()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        RunPipeline.Run(config, PipelineStage.Search, new(), new Recorder());
        var folder = new RunFolder(config.OutputDirectory);
        var candidates = SearchStage.Candidates(config, folder);
        var search = StageRecord.Load(folder.StageRecord("search"))!;
        Assert.Equal((int)search.Results["fresh_evaluations"]!, candidates.Count);
        var chosen = SearchStage.Chosen(config, folder);
        Assert.Equal(ParetoFront.ChooseSystem(candidates)!.Key, chosen.Key);
        Assert.All(candidates, c => Assert.Equal(5, c.Score.Costs.Count));
        Assert.Contains(candidates, c => c.Genome.Resolution == 16);
        Assert.Contains(candidates, c => c.Genome.Resolution == 24);
    }

    [Fact]
    public void ATargetNothingFitsFailsTheSearchWithAnExplanation()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        config = config with { Target = config.Target with { Profile = config.Target.Profile with { SramBytes = 1024 } } };
        var e = Assert.Throws<PipelineException>(() => RunPipeline.Run(config, PipelineStage.Search, new(), new Recorder()));
        Assert.Equal(DiagnosticCodes.NoFeasible, e.Diagnostics[0].Code);
        Assert.Contains("SRAM <= 1 KB", e.Message);
    }

    [Fact]
    public void HardwareAwareModeSearchesTheNetworkAtOneDataConfiguration()
    {
        using var dir = new TempDir();
        var config = Tiny(dir.Path);
        config = config with { Search = config.Search with { Mode = SearchMode.HardwareAware, FixedResolution = 24, FixedColor = ColorMode.Rgb } };
        RunPipeline.Run(config, PipelineStage.Search, new(), new Recorder());
        var folder = new RunFolder(config.OutputDirectory);
        var candidates = SearchStage.Candidates(config, folder);
        Assert.NotEmpty(candidates);
        Assert.All(candidates, c => Assert.Equal((24, ColorMode.Rgb), (c.Genome.Resolution, c.Genome.Color)));
        Assert.Contains("r[24] c[Rgb]", (string?)StageRecord.Load(folder.StageRecord("supernet"))!.Results["space"]);
        Assert.Equal("hardware-aware", (string?)StageRecord.Load(folder.StageRecord("search"))!.Results["mode"]);
    }
}
