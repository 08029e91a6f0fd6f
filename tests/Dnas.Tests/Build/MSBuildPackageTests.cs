using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.Build;

/// <summary>The Dnas.Build package in a fresh copy of examples/person-detector (a
/// Microsoft.Build.NoTargets project) restored from the folder feed: the first build runs the
/// pipeline, generates the firmware and compiles it, the second skips the generation target, a
/// changed dnas.yaml regenerates, <c>dotnet clean</c> removes the generated files, and a broken
/// dnas.yaml fails the build with its canonical error line.</summary>
[Collection(PackagesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MSBuildPackageTests(PackagesFixture packages, ITestOutputHelper log)
{
    private const string SkipLine = "Skipping target \"_DnasGenerateCore\" because all output files are up-to-date";

    /// <summary>A fresh copy of examples/person-detector (its sources, project and dnas.yaml;
    /// not its nuget.config: the fixture's names the test feed), optionally with another
    /// dnas.yaml.</summary>
    private string NewProject(string name, string? config = null)
    {
        string example = Path.Combine(packages.RepoRoot, "examples", "person-detector");
        string dir = packages.NewFolder(name);
        foreach (var file in new[] { "person-detector.csproj", "main.c", "dnas.yaml" })
            File.Copy(Path.Combine(example, file), Path.Combine(dir, file));
        if (config is not null) File.WriteAllText(Path.Combine(dir, "dnas.yaml"), config);
        return dir;
    }

    /// <summary>The copy is not inside the repository: the board support is named explicitly.</summary>
    private DotnetCli.Result Build(string dir, params string[] extra) =>
        packages.Cli.Dotnet(dir, ["build", "-tl:off", "-v:n", "-nodeReuse:false", "--disable-build-servers",
            $"-p:BoardDir={Path.Combine(packages.RepoRoot, "firmware", "boards", "mps2-an386")}/", .. extra]);

    private static IReadOnlyList<string> Manifest(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "obj", "dnas", "dnas", "generated.txt"));

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    [Fact]
    public void GeneratesAndCompilesTheFirmwareThenSkipsThenRegeneratesOnChangeAndCleans()
    {
        string dir = NewProject("incremental");
        string generatedDir = Path.Combine(dir, "firmware", "generated");
        string host = Path.Combine(dir, "build", "person-detector");

        var first = Build(dir).AssertOk("first build");
        Assert.Contains("dnas: supernet done", first.Output);
        Assert.Contains("dnas: firmware done", first.Output);
        var generated = Manifest(dir);
        Assert.Contains(Path.Combine(generatedDir, "model_model.c"), generated);
        Assert.All(generated, f => Assert.True(f.StartsWith(generatedDir, StringComparison.Ordinal) && File.Exists(f), $"{f} was listed but not generated in {generatedDir}"));
        // The extension point saw the generated files; the host program was built and ran.
        Assert.Contains($"person-detector: {generated.Count} generated files", first.Output);
        Assert.True(File.Exists(host), $"the host program {host} was not built");
        Assert.Matches(@"class: (person|no_person)", first.Output);
        if (OnPath("arm-none-eabi-gcc"))
            Assert.True(File.Exists(Path.Combine(dir, "build", "person-detector-m4.elf")), "arm-none-eabi-gcc is installed but the Cortex-M4 image was not built");

        var second = Build(dir).AssertOk("second build");
        Assert.Contains(SkipLine, second.Output);
        Assert.DoesNotContain("dnas: prepare", second.Output);
        Assert.True(second.Elapsed < TimeSpan.FromSeconds(15), $"a build with nothing to do took {second.Elapsed.TotalSeconds:0.0} s");
        // A skipped target still returns the generated files (MSBuild's output inference).
        Assert.Contains($"person-detector: {generated.Count} generated files", second.Output);
        log.WriteLine($"first build {first.Elapsed.TotalSeconds:0.0} s, second (skipped) {second.Elapsed.TotalSeconds:0.0} s");

        // A changed configuration runs the CLI again; its cache reuses every stage whose inputs
        // did not change (a comment changes nothing the stages hash).
        File.AppendAllText(Path.Combine(dir, "dnas.yaml"), "# edited\n");
        var third = Build(dir).AssertOk("build after editing dnas.yaml");
        Assert.DoesNotContain(SkipLine, third.Output);
        Assert.Contains("dnas: supernet reused (inputs unchanged)", third.Output);

        packages.Cli.Dotnet(dir, "clean", "-tl:off", "-v:n", "-nodeReuse:false").AssertOk("dotnet clean");
        Assert.All(generated, f => Assert.False(File.Exists(f), $"dotnet clean left {f}"));
        Assert.False(File.Exists(host), "dotnet clean left the host program");
        // The run folder (the pipeline's cache) survives a clean: the next build reuses the
        // search and generates the firmware again.
        var afterClean = Build(dir).AssertOk("build after clean");
        Assert.Contains("dnas: search reused (inputs unchanged)", afterClean.Output);
        Assert.All(generated, f => Assert.True(File.Exists(f), $"{f} was not generated again after clean"));
        Assert.Matches(@"class: (person|no_person)", afterClean.Output);
    }

    [Fact]
    public void ABrokenConfigurationFailsTheBuildWithItsCanonicalErrorLine()
    {
        // Line 3, column 3: a misspelt key of data.
        string dir = NewProject("broken", "data:\n  source: synthetic\n  imagez: 200\n");
        string config = Path.Combine(dir, "dnas.yaml");
        var build = Build(dir);
        Assert.NotEqual(0, build.ExitCode);
        // The full path, so an IDE can open the file at the line.
        Assert.Contains($"{config}(3,3): error DNAS002: unknown key 'imagez' in data", build.Output);
        Assert.DoesNotContain("MSB6006", build.Output);
        Assert.DoesNotContain("   at ", build.Output);
        Assert.False(File.Exists(Path.Combine(dir, "build", "person-detector")), "the C program was built after a failed generation");

        // DnasTarget goes through the same validation (an unknown board, before any work).
        File.Copy(Path.Combine(packages.RepoRoot, "examples", "person-detector", "dnas.yaml"), config, overwrite: true);
        var board = Build(dir, "-p:DnasTarget=nano33bel");
        Assert.NotEqual(0, board.ExitCode);
        Assert.Contains("error DNAS008: --target 'nano33bel' is not a built-in board", board.Output);
        Assert.DoesNotContain("dnas: prepare", board.Output);
    }
}
