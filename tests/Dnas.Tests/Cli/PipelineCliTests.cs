using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Cli;

/// <summary><c>dnas run | train | search | finetune | report</c>: summaries, the stage cache,
/// canonical diagnostics and exit codes.</summary>
public sealed class PipelineCliTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Tiny = """
        data:
          source: synthetic
          images: 120
          split: { train: 0.6, val: 0.2, test: 0.2 }
        search_space:
          resolutions: [16, 24]
          colors: [gray, rgb]
          widths: [0.35]
          depths: [1, [1, 2], 1, 1, [1, 2], 1, 1]
          expansions: [3, 6]
          kernels: [3, 5]
        supernet:
          steps: 4
          batch: 8
        search:
          population: 4
          generations: 1
          calibration_images: 16
          validation_images: 24
        target:
          board: nano33ble
        finetune:
          epochs: 0.3
          batch: 8
        output: run
        """;

    [Fact]
    public void RunWritesEveryStageThenReusesThem()
    {
        string config = _dir.WriteText("dnas.yaml", Tiny);
        var (code, stdout, stderr) = CliRunner.Run("run", "-c", config);
        Assert.True(code == 0, stderr);
        Assert.Contains("chosen:   r", stdout);
        Assert.Contains("finetune: test accuracy", stdout);
        Assert.Contains($"export:   {_dir["run/model.tflite"]}", stdout);
        Assert.Contains($"report:   {_dir["run/report.md"]}", stdout);
        Assert.Contains("dnas: supernet done", stderr);
        Assert.True(File.Exists(_dir["run/accuracy-sram.svg"]));

        (code, _, stderr) = CliRunner.Run("run", "-c", config);
        Assert.Equal(0, code);
        foreach (var stage in new[] { "prepare", "supernet", "search", "finetune", "export" })
            Assert.Contains($"dnas: {stage} reused (inputs unchanged)", stderr);

        // --seed is an input: the search and everything after it run again.
        (code, _, stderr) = CliRunner.Run("search", "-c", config, "--seed", "9", "--out", _dir["other"]);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(_dir["other/candidates.jsonl"]));
    }

    [Fact]
    public void ExportWritesTheModelsAndPrintsTheAgreement()
    {
        string config = _dir.WriteText("dnas.yaml", Tiny);
        var (code, stdout, stderr) = CliRunner.Run("export", "-c", config, "--calibration-images", "16");
        Assert.True(code == 0, stderr);
        Assert.Contains($"export:   {_dir["run/model.tflite"]}", stdout);
        Assert.Contains("calibrated on 16 training images (minmax)", stdout);
        Assert.Matches(@"val: int8 accuracy \d+\.\d\d% vs float \d+\.\d\d%, top-1 agreement \d+\.\d\d% on 24 images", stdout);
        Assert.True(File.Exists(_dir["run/model.float.tflite"]));
        Assert.False(File.Exists(_dir["run/report.md"]));

        (code, _, stderr) = CliRunner.Run("export", "-c", config, "--calibration-images", "0");
        Assert.Equal(2, code);
        Assert.Contains("--calibration-images must be at least 1", stderr);
    }

    [Fact]
    public void ConfigurationErrorsAreCanonicalAndExitOne()
    {
        string config = _dir.WriteText("dnas.yaml", Tiny.Replace("population: 4", "populaton: 4"));
        var (code, stdout, stderr) = CliRunner.Run("run", "-c", config);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Matches(@"dnas\.yaml\(\d+,\d+\): error DNAS002: .*'populaton'.*'population'", stderr);
    }

    [Fact]
    public void ReportBeforeASearchAndContradictoryFlagsAreErrors()
    {
        string config = _dir.WriteText("dnas.yaml", Tiny);
        var (code, _, stderr) = CliRunner.Run("report", "-c", config);
        Assert.Equal(1, code);
        Assert.Contains("error DNAS204", stderr);
        (code, _, stderr) = CliRunner.Run("train", "-c", config, "--resume", "--restart");
        Assert.Equal(1, code);
        Assert.Contains("error DNAS201: --resume and --restart exclude each other", stderr);
        (code, _, stderr) = CliRunner.Run("train", "-c", config, "--no-supernet");
        Assert.Equal(2, code);
    }
}
