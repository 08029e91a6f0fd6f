using Xunit;

namespace Dnas.Tests.Build;

/// <summary>The <c>dnas</c> tool package from a folder feed: installed into a tool path and
/// into a local tool manifest, it prints its version and runs the root configuration (with a
/// tiny budget).</summary>
[Collection(PackagesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ToolPackageTests(PackagesFixture packages)
{
    [Fact]
    public void InstallsIntoAToolPathAndRunsACopyOfTheRootConfiguration()
    {
        string dir = packages.NewFolder("toolpath");
        packages.Cli.Dotnet(dir, "tool", "install", "Dnas.Cli", "--version", "0.1.0", "--tool-path", "tools").AssertOk("dotnet tool install --tool-path");
        string dnas = Path.Combine(dir, "tools", OperatingSystem.IsWindows() ? "dnas.exe" : "dnas");

        var version = packages.Cli.Run(dnas, dir, "--version").AssertOk("dnas --version");
        Assert.StartsWith("0.1.0", version.Output.Trim());

        File.WriteAllText(Path.Combine(dir, "dnas.yaml"), TinyBudget.FromRoot(packages.RepoRoot));
        var run = packages.Cli.Run(dnas, dir, "run", "-c", "dnas.yaml").AssertOk("dnas run");
        string runFolder = Path.Combine(dir, "runs", "default");
        Assert.Contains($"report:   {Path.Combine(runFolder, "report.md")}", run.Output);

        // The manifest a build system reads: full paths of files that exist.
        var generated = File.ReadAllLines(Path.Combine(runFolder, "generated.txt"));
        Assert.NotEmpty(generated);
        Assert.All(generated, f => Assert.True(Path.IsPathRooted(f) && File.Exists(f), $"generated.txt lists {f}, which does not exist"));
        Assert.Matches("^[0-9a-f]{64}$", File.ReadAllText(Path.Combine(runFolder, "data.fingerprint")).Trim());
    }

    [Fact]
    public void InstallsIntoALocalToolManifest()
    {
        string dir = packages.NewFolder("manifest");
        packages.Cli.Dotnet(dir, "new", "tool-manifest").AssertOk("dotnet new tool-manifest");
        packages.Cli.Dotnet(dir, "tool", "install", "Dnas.Cli", "--version", "0.1.0").AssertOk("dotnet tool install (local)");
        // The SDK writes the manifest to the folder itself (.NET 10) or to .config/ (earlier).
        string manifest = new[] { "dotnet-tools.json", Path.Combine(".config", "dotnet-tools.json") }
            .Select(f => Path.Combine(dir, f)).First(File.Exists);
        Assert.Contains("\"dnas\"", File.ReadAllText(manifest));
        var version = packages.Cli.Dotnet(dir, "dnas", "--version").AssertOk("dotnet dnas --version");
        Assert.StartsWith("0.1.0", version.Output.Trim());
    }
}
