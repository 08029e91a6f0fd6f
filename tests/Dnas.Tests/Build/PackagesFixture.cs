using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Build;

/// <summary>Packs Dnas.Cli (the tool) and Dnas.Build (the MSBuild package) once for every test
/// of the <see cref="PackagesCollection"/> into a temporary folder feed, with its own build
/// output (<c>--artifacts-path</c>: the repository's bin/ and obj/ stay untouched), a
/// nuget.config naming the feed beside the machine's configured sources, and a packages folder
/// of its own.</summary>
public sealed class PackagesFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "dnas-build-" + Guid.NewGuid().ToString("N"));
    public string Feed => Path.Combine(Root, "feed");
    public string RepoRoot { get; } = DecoderTools.RepoRoot();
    internal DotnetCli Cli { get; }

    public PackagesFixture()
    {
        Directory.CreateDirectory(Feed);
        Cli = new DotnetCli(Path.Combine(Root, "packages"));
        // No <clear/>: the sources of the machine's own NuGet configuration still apply.
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dnas-local-feed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        string artifacts = Path.Combine(Root, "artifacts");
        foreach (var project in new[] { "src/Dnas.Cli", "src/Dnas.Build" })
            Cli.Dotnet(RepoRoot, "pack", project, "-c", "Release", "-o", Feed, "--artifacts-path", artifacts,
                "--disable-build-servers", "-nodeReuse:false", "-tl:off").AssertOk($"dotnet pack {project}");
    }

    /// <summary>A new empty folder under the fixture's root (so the feed's nuget.config applies).</summary>
    public string NewFolder(string name)
    {
        string dir = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackagesFixture>
{
    public const string Name = "Dnas packages";
}
