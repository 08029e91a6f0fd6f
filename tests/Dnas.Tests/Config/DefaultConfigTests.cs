using Dnas.Cli;
using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Dnas.Tests.Data;
using static Dnas.Tests.Cli.CliRunner;
using Xunit;

namespace Dnas.Tests.Config;

/// <summary><c>dnas init</c> and the default configuration it writes; the repository's own dnas.yaml.</summary>
public sealed class DefaultConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void InitWritesAConfigurationThatLoadsWithoutDiagnostics()
    {
        string path = _dir["sub/dnas.yaml"];
        var (code, stdout, stderr) = Run("init", "-c", path);
        Assert.True(code == 0, stderr);
        Assert.Contains($"wrote {path}", stdout);
        Assert.Equal(DefaultConfig.Text, File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(_dir["sub"], "*.tmp-*"));

        var (_, diagnostics) = DnasConfig.TryParse(File.ReadAllText(path), path, _dir["sub"]);
        Assert.Empty(diagnostics);
        var c = DnasConfig.Load(path);
        Assert.Equal([32, 64, 96, 128, 160, 192, 224], c.SearchSpace.Resolutions);
        Assert.Equal([ColorMode.Gray, ColorMode.Rgb], c.SearchSpace.Colors);
        Assert.Same(Targets.Nano33Ble, c.Target.Profile);
        Assert.Equal(DataSourceKind.Synthetic, c.Data.Source);
        Assert.Equal(_dir["sub/runs/default"], c.OutputDirectory);
        c.SearchSpace.ToSearchSpace(); // a valid space
    }

    [Fact]
    public void TheDefaultsWrittenAreTheDefaultsOfTheRecords()
    {
        // So the comments' "a missing key takes the value shown here" holds.
        var c = DnasConfig.Parse(DefaultConfig.Text, "dnas.yaml", _dir.Path);
        Assert.Equal(SupernetConfig.Default, c.Supernet);
        Assert.Equal(SearchConfig.Default, c.Search);
        Assert.Equal(FinetuneConfig.Default, c.Finetune);
        Assert.Equal(QuantizeConfig.Default, c.Quantize);
        Assert.Equal(DataConfig.Default, c.Data);
        Assert.Equal(TargetConfig.Default, c.Target);
        var d = SearchSpaceConfig.Default;
        Assert.Equal(d.Widths, c.SearchSpace.Widths);
        Assert.Equal(d.Depths, c.SearchSpace.Depths);
        Assert.Equal(d.Expansions, c.SearchSpace.Expansions);
        Assert.Equal(d.Kernels, c.SearchSpace.Kernels);
    }

    [Fact]
    public void EveryKeyIsInTheDefaultFile()
    {
        string[] keys = [.. SupernetConfig.Keys, .. SearchConfig.Keys, .. FinetuneConfig.Keys, .. QuantizeConfig.Keys, .. SearchSpaceConfig.Keys, .. TargetConfig.Keys, .. DataConfig.AllKeys];
        foreach (var key in keys) Assert.Matches($@"(?m)^\s*#? ?{key}:", DefaultConfig.Text);
    }

    [Fact]
    public void InitRefusesToOverwriteWithoutForce()
    {
        string path = _dir.WriteText("dnas.yaml", "data:\n  source: synthetic\n# tuned by hand\n");
        var (code, stdout, stderr) = Run("init", "--config", path);
        Assert.Equal(Program.DataError, code);
        Assert.Equal("", stdout);
        Assert.Contains($"dnas: error: {path} already exists; not overwritten (pass --force to replace it with the default)", stderr);
        Assert.Contains("# tuned by hand", File.ReadAllText(path));

        (code, _, stderr) = Run("init", "--config", path, "--force");
        Assert.True(code == 0, stderr);
        Assert.Equal(DefaultConfig.Text, File.ReadAllText(path));

        (code, _, stderr) = Run("init", "-c", _dir.Path);
        Assert.Equal(Program.DataError, code);
        Assert.Contains("is a folder", stderr);
    }

    [Fact]
    public void TheRepositoryDnasYamlValidatesEverySection()
    {
        var c = DnasConfig.Load(Path.Combine(DecoderTools.RepoRoot(), "dnas.yaml"));
        Assert.Equal(SearchMode.DataAware, c.Search.Mode);
        Assert.True(TargetFitCheck.SmallestSystemCost(c).FitsSram);
        Assert.DoesNotContain("accepted as they are", File.ReadAllText(Path.Combine(DecoderTools.RepoRoot(), "dnas.yaml")));
    }
}
