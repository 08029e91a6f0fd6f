using Dnas.Tests.Cli;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Build;

/// <summary>What <c>dnas run</c> leaves for build systems: <c>generated.txt</c> (full paths
/// of the files the last stage wrote) and <c>data.fingerprint</c> (kept, time included, while
/// the data does not change).</summary>
public sealed class RunManifestTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RunWritesTheManifestAndKeepsAnUnchangedFingerprint()
    {
        string config = _dir.WriteText("dnas.yaml", """
            data:
              source: synthetic
              images: 120
              split: { train: 0.6, val: 0.2, test: 0.2 }
            search_space:
              resolutions: [16]
              colors: [gray]
              widths: [0.35]
              depths: [1, 1, 1, 1, 1, 1, 1]
              expansions: [3]
              kernels: [3]
            supernet:
              steps: 2
              batch: 8
            search:
              population: 2
              generations: 1
              calibration_images: 16
              validation_images: 16
            finetune:
              epochs: 0
            output: run
            """);
        var (code, _, stderr) = CliRunner.Run("run", "-c", config);
        Assert.True(code == 0, stderr);
        var generated = File.ReadAllLines(_dir["run/generated.txt"]);
        Assert.NotEmpty(generated);
        Assert.All(generated, f => Assert.True(Path.IsPathRooted(f) && File.Exists(f), $"{f} listed but missing"));
        Assert.DoesNotContain(_dir["run/model.weights"], generated);
        string fingerprint = _dir["run/data.fingerprint"];
        Assert.Matches("^[0-9a-f]{64}\n$", File.ReadAllText(fingerprint));
        var time = File.GetLastWriteTimeUtc(fingerprint);

        // Same data: the file (and so its time, which builds compare) stays.
        File.SetLastWriteTimeUtc(fingerprint, time.AddMinutes(-5));
        (code, _, stderr) = CliRunner.Run("run", "-c", config);
        Assert.True(code == 0, stderr);
        Assert.Equal(time.AddMinutes(-5), File.GetLastWriteTimeUtc(fingerprint));

        // Other data: a new fingerprint.
        File.WriteAllText(config, File.ReadAllText(config).Replace("images: 120", "images: 140"));
        string before = File.ReadAllText(fingerprint);
        (code, _, stderr) = CliRunner.Run("run", "-c", config);
        Assert.True(code == 0, stderr);
        Assert.NotEqual(before, File.ReadAllText(fingerprint));
    }
}
