using Dnas.Data.Images;
using Dnas.Data.Sources;
using Dnas.Data.Store;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>The real image sets in <c>&lt;repo root&gt;/../shared/data</c> prepared as image folders:
/// the counts, and every stored image equal to decode + centre crop + area resize of its file.
/// CI always has the directory; when it is absent these tests fail with "SHARED ASSET MISSING:".
/// Exclude them explicitly with <c>--filter "Category!=SharedAssets"</c>.</summary>
[Trait("Category", "SharedAssets")]
public sealed class DatasetSharedAssetsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string SharedData(string name) => SharedAssets.Path("data", name);

    private void PrepareAndCompare(string name, int resolution, int person, int noPerson)
    {
        var root = SharedData(name);
        var result = StoreBuilder.Prepare(new ImageFolderSource(root), new StoreSettings(resolution), _dir["store"]);
        Assert.Empty(result.Index.Bad);
        using var store = PreparedStore.Open(_dir["store"]);
        Assert.Equal(["no_person", "person"], store.Classes);
        Assert.Equal(noPerson, store.Labels.Count(l => l == 0));
        Assert.Equal(person, store.Labels.Count(l => l == 1));
        var failures = new List<string>();
        for (int i = 0; i < store.Count; i++)
        {
            var file = store.Index.SourceFiles[i];
            var expected = Fixture.Expected(ImageDecoder.DecodeFile(file, resolution), resolution);
            if (!store.Image(i).SequenceEqual(expected)) failures.Add(file);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} stored images differ from decode+crop+resize: {string.Join(", ", failures.Take(10))}");
        Assert.True(StoreBuilder.Prepare(new ImageFolderSource(root), new StoreSettings(resolution), _dir["store"]).Reused);
    }

    [Fact]
    public void Vww96PreparesAllImages() => PrepareAndCompare("vww96", 96, person: 363, noPerson: 334);

    [Fact]
    public void PhotosPrepareAt224() => PrepareAndCompare("photos", 224, person: 26, noPerson: 146);

    [Fact]
    public void Vww96StoredAt96IsThePngItself()
    {
        var root = SharedData("vww96");
        StoreBuilder.Prepare(new ImageFolderSource(root), new StoreSettings(96), _dir["store"]);
        using var store = PreparedStore.Open(_dir["store"]);
        foreach (int i in new[] { 0, store.Count / 2, store.Count - 1 })
            Assert.True(store.Image(i).SequenceEqual(ImageDecoder.DecodeFile(store.Index.SourceFiles[i]).Pixels), store.Index.Ids[i]);
    }
}
