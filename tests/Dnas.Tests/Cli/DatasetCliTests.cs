using Dnas.Cli;
using Dnas.Data.Store;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Cli;

/// <summary><c>dnas prepare</c>: summary, diagnostics on standard error, exit codes.</summary>
public sealed class DatasetCliTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private string Config(string dataExtra = "")
    {
        for (int i = 0; i < 6; i++)
        {
            _dir.Write($"images/person/{i}.png", Fixture.Png(20, 16, i));
            _dir.Write($"images/no_person/{i}.png", Fixture.Png(16, 20, 10 + i));
        }
        return _dir.WriteText("dnas.yaml", $"data:\n  source: imagefolder\n  path: images\n{dataExtra}search_space:\n  resolutions: [16, 24]\noutput: run\n");
    }

    [Fact]
    public void PrepareBuildsThenReusesAndPrintsASummary()
    {
        var config = Config();
        var (code, stdout, stderr) = Run("prepare", "-c", config);
        Assert.True(code == 0, stderr);
        Assert.Contains($"store:   {_dir["run/data"]} (rebuilt)", stdout);
        Assert.Contains("24x24 rgb area centre-crop, 12 stored", stdout);
        Assert.Matches(@"no_person\s+5\s+0\s+1\s+6", stdout);
        Assert.Contains("bad:     none of 12 items", stdout);
        Assert.Matches(@"time:    [0-9.]+ s \([0-9]+ images/s\)", stdout);
        Assert.True(File.Exists(PreparedStore.IndexPath(_dir["run/data"])));

        (code, stdout, _) = Run("prepare", "--config", config, "--out", _dir["elsewhere"]);
        Assert.Equal(0, code);
        Assert.Contains($"{_dir["elsewhere"]} (rebuilt)", stdout);
        (code, stdout, _) = Run("prepare", "--config", config, "--out", _dir["elsewhere"]);
        Assert.Equal(0, code);
        Assert.Contains("(reused: sources and settings unchanged)", stdout);
    }

    [Fact]
    public void WarningsGoToStandardError()
    {
        var config = Config("  max_bad_fraction: 0.5\n");
        _dir.WriteText("images/person/broken.png", "nope");
        var (code, stdout, stderr) = Run("prepare", "-c", config);
        Assert.Equal(0, code);
        Assert.Contains($"{_dir["images/person/broken.png"]}: warning DNAS101: skipped (unknown format)", stderr);
        Assert.Contains("warning DNAS102: skipped 1 bad item(s) of 13", stderr);
        Assert.Contains("bad:     1 of 13 items skipped (1 unknown format)", stdout);
    }

    [Fact]
    public void ConfigErrorsAreCanonicalDiagnosticsWithExitCode1()
    {
        Config();
        var config = _dir.WriteText("bad.yaml", "data:\n  source: imagefolder\n  path: images\n  sed: 1\n");
        var (code, stdout, stderr) = Run("prepare", "-c", config);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"{config}(4,3): error DNAS002: unknown key 'sed' in data; did you mean 'seed'?", stderr);
    }

    [Fact]
    public void DataErrorsExitWith1()
    {
        var config = Config();
        for (int i = 0; i < 3; i++) _dir.WriteText($"images/person/junk{i}.txt", "x");
        var (code, _, stderr) = Run("prepare", "-c", config);
        Assert.Equal(1, code);
        Assert.Contains("error DNAS103: 3 of 15 items are bad", stderr);
        Assert.False(File.Exists(PreparedStore.IndexPath(_dir["run/data"])));
    }

    [Fact]
    public void MissingConfigExitsWith1()
    {
        var (code, _, stderr) = Run("prepare", "-c", _dir["absent.yaml"]);
        Assert.Equal(1, code);
        Assert.Contains("error DNAS011", stderr);
    }

    [Fact]
    public void UsageErrorsExitWith2()
    {
        Assert.Equal(2, Run("prepare", "--bogus").Code);
        Assert.Equal(2, Run("prepare", "-c").Code);
        Assert.Equal(2, Run("frobnicate").Code);
        Assert.Equal(2, Run().Code);
        var (code, stdout, _) = Run("prepare", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--config", stdout);
    }
}
