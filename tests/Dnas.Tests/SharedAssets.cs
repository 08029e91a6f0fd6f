using Xunit;

namespace Dnas.Tests;

/// <summary>The team's shared real assets at <c>&lt;repo root&gt;/../shared</c> (models, image sets,
/// photos). CI always has the folder; elsewhere a test that needs it fails with a message starting
/// "SHARED ASSET MISSING:" naming the path. Such tests carry <c>[Trait("Category", "SharedAssets")]</c>
/// and can be left out with <c>--filter "Category!=SharedAssets"</c>.</summary>
public static class SharedAssets
{
    /// <summary>The full path of <c>../shared/&lt;parts&gt;</c> (a file or a folder); fails the test when it is absent.</summary>
    public static string Path(params string[] parts)
    {
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine([Data.DecoderTools.RepoRoot(), "..", "shared", .. parts]));
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Fail($"SHARED ASSET MISSING: {path} (<repo root>/../shared/{string.Join('/', parts)}); " +
                        "provide it, or exclude these tests with --filter \"Category!=SharedAssets\"");
        return path;
    }
}
