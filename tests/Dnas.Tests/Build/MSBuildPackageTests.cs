using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.Build;

/// <summary>The Dnas.Build package in a fresh Microsoft.Build.NoTargets project restored from
/// the folder feed: the first build runs the pipeline and returns its files, the second skips
/// the generation target, a changed dnas.yaml regenerates, <c>dotnet clean</c> removes the
/// generated files, and a broken dnas.yaml fails the build with its canonical error line.</summary>
[Collection(PackagesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MSBuildPackageTests(PackagesFixture packages, ITestOutputHelper log)
{
    private const string SkipLine = "Skipping target \"_DnasGenerateCore\" because all output files are up-to-date";

    private const string Project = """
        <Project Sdk="Microsoft.Build.NoTargets/3.7.0">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Dnas.Build" Version="0.1.0" PrivateAssets="all" />
            <DnasModel Include="dnas.yaml" />
          </ItemGroup>
          <!-- The extension point sees the generated files. -->
          <Target Name="Dnas_AfterGenerate">
            <Message Importance="high" Text="generated: @(DnasGeneratedFile)" />
          </Target>
        </Project>
        """;

    private string NewProject(string name, string config)
    {
        string dir = packages.NewFolder(name);
        File.WriteAllText(Path.Combine(dir, "app.csproj"), Project);
        File.WriteAllText(Path.Combine(dir, "dnas.yaml"), config);
        return dir;
    }

    private DotnetCli.Result Build(string dir, params string[] extra) =>
        packages.Cli.Dotnet(dir, ["build", "-tl:off", "-v:n", "-nodeReuse:false", "--disable-build-servers", .. extra]);

    private static IReadOnlyList<string> Manifest(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "obj", "dnas", "dnas", "generated.txt"));

    [Fact]
    public void GeneratesThenSkipsThenRegeneratesOnChangeAndCleans()
    {
        string dir = NewProject("incremental", TinyBudget.FromRoot(packages.RepoRoot));

        var first = Build(dir).AssertOk("first build");
        Assert.Contains("dnas: supernet done", first.Output);
        var generated = Manifest(dir);
        Assert.NotEmpty(generated);
        Assert.All(generated, f => Assert.True(File.Exists(f), $"{f} was listed but not generated"));
        Assert.Contains("generated: " + string.Join(";", generated), first.Output);

        var second = Build(dir).AssertOk("second build");
        Assert.Contains(SkipLine, second.Output);
        Assert.DoesNotContain("dnas: prepare", second.Output);
        Assert.True(second.Elapsed < TimeSpan.FromSeconds(15), $"a build with nothing to do took {second.Elapsed.TotalSeconds:0.0} s");
        // A skipped target still returns the generated files (MSBuild's output inference).
        Assert.Contains("generated: " + string.Join(";", generated), second.Output);
        log.WriteLine($"first build {first.Elapsed.TotalSeconds:0.0} s, second (skipped) {second.Elapsed.TotalSeconds:0.0} s");

        // A changed configuration runs the CLI again; its cache reuses every stage whose inputs
        // did not change (a comment changes nothing the stages hash).
        File.AppendAllText(Path.Combine(dir, "dnas.yaml"), "# edited\n");
        var third = Build(dir).AssertOk("build after editing dnas.yaml");
        Assert.DoesNotContain(SkipLine, third.Output);
        Assert.Contains("dnas: supernet reused (inputs unchanged)", third.Output);

        packages.Cli.Dotnet(dir, "clean", "-tl:off", "-v:n", "-nodeReuse:false").AssertOk("dotnet clean");
        Assert.All(generated, f => Assert.False(File.Exists(f), $"dotnet clean left {f}"));
        // The run folder (the pipeline's cache) survives a clean: the next build reuses it.
        var afterClean = Build(dir).AssertOk("build after clean");
        Assert.Contains("dnas: search reused (inputs unchanged)", afterClean.Output);
        Assert.All(generated, f => Assert.True(File.Exists(f), $"{f} was not generated again after clean"));
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

        // DnasTarget goes through the same validation (an unknown board, before any work).
        File.WriteAllText(config, TinyBudget.FromRoot(packages.RepoRoot));
        var board = Build(dir, "-p:DnasTarget=nano33bel");
        Assert.NotEqual(0, board.ExitCode);
        Assert.Contains("error DNAS008: --target 'nano33bel' is not a built-in board", board.Output);
        Assert.DoesNotContain("dnas: prepare", board.Output);
    }
}
