using System.Security.Cryptography;
using System.Text;
using Dnas.Data.Sources;
using Dnas.Data.Store;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>A source over items made in memory (for cases files cannot produce, e.g. an I/O error).</summary>
internal sealed class ListSource(IReadOnlyList<string> classes, IReadOnlyList<SourceItem> items) : IDataSource
{
    public string Description => "test list";

    public void AddFingerprint(Fingerprint fingerprint)
    {
        foreach (var i in items) fingerprint.Add("item", i.Id);
    }

    public SourceScan Scan(CancellationToken cancel = default) => new(classes, items, []);
}

internal sealed class BytesItem(string id, byte[] data, int label) : SourceItem(id, "/virtual/" + id, label, GivenSplit.None)
{
    public override byte[] ReadBytes() => data;
}

internal sealed class FailingItem(string id, int label) : SourceItem(id, "/virtual/" + id, label, GivenSplit.None)
{
    public override byte[] ReadBytes() => throw new IOException("Input/output error");
}

/// <summary>The prepared store: contents, reuse and rebuild, format versions, atomic writes,
/// determinism and progress.</summary>
public sealed class DatasetStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Store => _dir["store"];

    /// <summary>An image folder with mixed formats and sizes: 6 person, 5 no_person.</summary>
    private Dictionary<string, byte[]> MakeFolder(string name = "set")
    {
        var files = new Dictionary<string, byte[]>
        {
            ["person/p0.png"] = Fixture.Png(40, 30, 1),
            ["person/p1.jpg"] = Fixture.Jpeg(64, 48, 2),
            ["person/p2.bmp"] = Fixture.Bmp(13, 17, 3),
            ["person/p3.ppm"] = Fixture.Ppm(20, 20, 4),
            ["person/p4.jpg"] = Fixture.Jpeg(100, 40, 5),
            ["person/p5.png"] = Fixture.Png(8, 8, 6),
            ["no_person/n0.png"] = Fixture.Png(30, 40, 7),
            ["no_person/n1.jpeg"] = Fixture.Jpeg(48, 64, 8),
            ["no_person/n2.pgm"] = Fixture.Pgm(17, 13, 9),
            ["no_person/n3.bmp"] = Fixture.Bmp(16, 16, 10),
            ["no_person/n4.png"] = Fixture.Png(33, 21, 11),
        };
        foreach (var (path, data) in files) _dir.Write($"{name}/{path}", data);
        return files;
    }

    private static PrepareResult Prepare(IDataSource source, string dir, int resolution = 16, double maxBad = 0.05, ulong seed = 1,
        IProgress<PrepareProgress>? progress = null, CancellationToken cancel = default, int threads = 0) =>
        StoreBuilder.Prepare(source, new StoreSettings(resolution, seed: seed, maxBadFraction: maxBad), dir, progress, cancel, threads);

    [Fact]
    public void StoredImagesAreDecodeCropResizeOfTheSources()
    {
        var files = MakeFolder();
        var result = Prepare(new ImageFolderSource(_dir["set"]), Store);
        Assert.False(result.Reused);
        Assert.Null(result.RebuildReason);
        Assert.DoesNotContain(result.Warnings, w => w.Code != "DNAS108");
        using var store = PreparedStore.Open(Store);
        Assert.Equal(11, store.Count);
        Assert.Equal(["no_person", "person"], store.Classes);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), store.Index.Ids);
        var splits = SplitAssigner.Assign(store.Index.Ids.Select((id, i) => (id, store.Labels[i], GivenSplit.None)).ToList(), SplitFractions.Default, 1);
        Assert.Equal(splits, store.Splits);
        for (int i = 0; i < store.Count; i++)
        {
            string id = store.Index.Ids[i];
            var data = files[id];
            Assert.Equal(id.StartsWith("person/") ? 1 : 0, store.Labels[i]);
            Assert.Equal(_dir[$"set/{id}"], store.Index.SourceFiles[i]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data).AsSpan(0, 16)), store.Index.Hashes[i]);
            DataAssert.Bytes(Fixture.Expected(data, 16), store.Image(i), id);
        }
        Assert.Equal(16 * 16 * 3, store.Image(0).Length);
        Assert.Equal(store.Image(3).ToArray(), store.ImageCopy(3).Pixels);
        Assert.Equal(11, store.IndicesOf(Split.Train).Length + store.IndicesOf(Split.Val).Length + store.IndicesOf(Split.Test).Length);
    }

    [Fact]
    public void JpegsAreDecodedWithTheResolutionAsSizeHint()
    {
        var jpeg = Fixture.Jpeg(256, 192, 3);
        _dir.Write("set/a/x.jpg", jpeg);
        _dir.Write("set/b/y.jpg", jpeg);
        Prepare(new ImageFolderSource(_dir["set"]), Store, resolution: 40);
        using var store = PreparedStore.Open(Store);
        // 1/4 scale (64x48) is the smallest with a shorter side >= 40; the full decode differs.
        var scaled = Dnas.Data.Images.ImageDecoder.Decode(jpeg, "x", 40);
        Assert.Equal((64, 48), (scaled.Width, scaled.Height));
        DataAssert.Bytes(Fixture.Expected(scaled, 40), store.Image(0), "scaled");
    }

    [Fact]
    public void UnchangedSourcesAndSettingsReuseTheStore()
    {
        MakeFolder();
        var source = new ImageFolderSource(_dir["set"]);
        Prepare(source, Store);
        var written = File.GetLastWriteTimeUtc(PreparedStore.DataPath(Store));
        var again = Prepare(new ImageFolderSource(_dir["set"]), Store);
        Assert.True(again.Reused);
        Assert.Equal(11, again.Index.Count);
        Assert.Equal(written, File.GetLastWriteTimeUtc(PreparedStore.DataPath(Store)));
    }

    [Fact]
    public void ChangedSettingsRebuild()
    {
        MakeFolder();
        Prepare(new ImageFolderSource(_dir["set"]), Store);
        var other = Prepare(new ImageFolderSource(_dir["set"]), Store, resolution: 24);
        Assert.False(other.Reused);
        Assert.Contains("fingerprint", other.RebuildReason);
        using (var store = PreparedStore.Open(Store)) Assert.Equal(24, store.Width);
        Assert.False(Prepare(new ImageFolderSource(_dir["set"]), Store, resolution: 24, seed: 2).Reused);
        Assert.False(Prepare(new ImageFolderSource(_dir["set"]), Store, resolution: 24, seed: 2, maxBad: 0.2).Reused);
        Assert.False(Prepare(new ImageFolderSource(_dir["set"], ["person", "no_person"]), Store, resolution: 24, seed: 2, maxBad: 0.2).Reused);
        Assert.True(Prepare(new ImageFolderSource(_dir["set"], ["person", "no_person"]), Store, resolution: 24, seed: 2, maxBad: 0.2).Reused);
    }

    [Fact]
    public void ChangedAddedOrRemovedSourceFilesRebuild()
    {
        MakeFolder();
        Prepare(new ImageFolderSource(_dir["set"]), Store);

        // Same size, different content, later modification time.
        var path = _dir["set/person/p5.png"];
        var replacement = Fixture.Png(8, 8, 99);
        File.WriteAllBytes(path, replacement);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(5));
        var result = Prepare(new ImageFolderSource(_dir["set"]), Store);
        Assert.False(result.Reused);
        using (var store = PreparedStore.Open(Store))
        {
            int i = Array.IndexOf(store.Index.Ids, "person/p5.png");
            DataAssert.Bytes(Fixture.Expected(replacement, 16), store.Image(i), "replaced image");
        }

        _dir.Write("set/person/new.png", Fixture.Png(9, 9, 50));
        result = Prepare(new ImageFolderSource(_dir["set"]), Store);
        Assert.False(result.Reused);
        Assert.Equal(12, result.Index.Count);

        File.Delete(_dir["set/person/new.png"]);
        result = Prepare(new ImageFolderSource(_dir["set"]), Store);
        Assert.False(result.Reused);
        Assert.Equal(11, result.Index.Count);
        Assert.True(Prepare(new ImageFolderSource(_dir["set"]), Store).Reused);
    }

    [Fact]
    public void AnotherIndexFormatVersionIsRebuiltNeverRead()
    {
        MakeFolder();
        Prepare(new ImageFolderSource(_dir["set"]), Store);
        var indexPath = PreparedStore.IndexPath(Store);
        var text = File.ReadAllText(indexPath);
        Assert.Contains("\"version\":1,", text);
        File.WriteAllText(indexPath, text.Replace("\"version\":1,", "\"version\":2,"));
        var e = Assert.Throws<StoreFormatException>(() => PreparedStore.Open(Store));
        Assert.Contains("format version 2", e.Message);
        var result = Prepare(new ImageFolderSource(_dir["set"]), Store);
        Assert.False(result.Reused);
        Assert.Contains("format version 2", result.RebuildReason);
        using var store = PreparedStore.Open(Store);
        Assert.Equal(11, store.Count);
    }

    [Fact]
    public void AnotherImageFileFormatVersionIsRebuiltNeverRead()
    {
        MakeFolder();
        Prepare(new ImageFolderSource(_dir["set"]), Store);
        var dataPath = PreparedStore.DataPath(Store);
        using (var f = new FileStream(dataPath, FileMode.Open, FileAccess.Write)) { f.Position = 8; f.WriteByte(7); }
        Assert.Contains("version 7", Assert.Throws<StoreFormatException>(() => PreparedStore.Open(Store)).Message);
        Assert.False(Prepare(new ImageFolderSource(_dir["set"]), Store).Reused);
        Assert.True(Prepare(new ImageFolderSource(_dir["set"]), Store).Reused);
    }

    [Fact]
    public void TornOrMismatchedStoresAreRebuilt()
    {
        MakeFolder();
        MakeFolder("set2");
        File.Delete(_dir["set2/person/p0.png"]);
        Prepare(new ImageFolderSource(_dir["set"]), Store);
        var dataPath = PreparedStore.DataPath(Store);

        // Truncated image file.
        using (var f = new FileStream(dataPath, FileMode.Open, FileAccess.Write)) f.SetLength(f.Length - 5);
        Assert.Throws<StoreFormatException>(() => PreparedStore.Open(Store));
        Assert.False(Prepare(new ImageFolderSource(_dir["set"]), Store).Reused);

        // An image file from another build under this index.
        Prepare(new ImageFolderSource(_dir["set2"]), _dir["other"]);
        File.Copy(PreparedStore.DataPath(_dir["other"]), dataPath, overwrite: true);
        Assert.Contains("does not belong", Assert.Throws<StoreFormatException>(() => PreparedStore.Open(Store)).Message);
        Assert.False(Prepare(new ImageFolderSource(_dir["set"]), Store).Reused);

        // No index at all.
        File.Delete(PreparedStore.IndexPath(Store));
        Assert.False(Prepare(new ImageFolderSource(_dir["set"]), Store).Reused);
        Assert.True(Prepare(new ImageFolderSource(_dir["set"]), Store).Reused);

        // Fingerprint check on open.
        Assert.Throws<StoreFormatException>(() => PreparedStore.Open(Store, "0000"));
    }

    private void AssertNoStoreFiles(string dir)
    {
        if (!Directory.Exists(dir)) return;
        var left = Directory.GetFiles(dir).Select(Path.GetFileName).ToList();
        Assert.True(left.Count == 0, "files left behind: " + string.Join(", ", left));
    }

    [Fact]
    public void CancelledBuildLeavesNoFiles()
    {
        MakeFolder();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Phase == PreparePhase.Building && p.Done >= 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Prepare(new ImageFolderSource(_dir["set"]), Store, progress: progress, cancel: cts.Token));
        AssertNoStoreFiles(Store);
    }

    [Fact]
    public void FailedBuildLeavesNoFilesAndKeepsAnOlderStoreIntact()
    {
        MakeFolder();
        Prepare(new ImageFolderSource(_dir["set"]), Store);
        var before = File.ReadAllBytes(PreparedStore.DataPath(Store));
        var beforeIndex = File.ReadAllBytes(PreparedStore.IndexPath(Store));
        for (int i = 0; i < 4; i++) _dir.Write($"set/person/broken{i}.png", Fixture.Png(10, 10, i).AsSpan(0, 40).ToArray());
        Assert.Throws<DataException>(() => Prepare(new ImageFolderSource(_dir["set"]), Store));
        Assert.Equal([StoreFormat.DataFileName, StoreFormat.IndexFileName], Directory.GetFiles(Store).Select(Path.GetFileName).Order());
        Assert.Equal(before, File.ReadAllBytes(PreparedStore.DataPath(Store)));
        Assert.Equal(beforeIndex, File.ReadAllBytes(PreparedStore.IndexPath(Store)));

        var fresh = _dir["fresh"];
        Assert.Throws<DataException>(() => Prepare(new ImageFolderSource(_dir["set"]), fresh));
        AssertNoStoreFiles(fresh);
    }

    [Fact]
    public void BuildsAreByteIdenticalWhateverTheThreadCount()
    {
        for (int i = 0; i < 40; i++) _dir.Write($"set/{(i % 3 == 0 ? "a" : "b")}/{i:D2}.png", Fixture.Png(10 + i % 7, 9 + i % 5, i));
        Prepare(new ImageFolderSource(_dir["set"]), _dir["one"], threads: 1);
        Prepare(new ImageFolderSource(_dir["set"]), _dir["two"], threads: 2);
        Prepare(new ImageFolderSource(_dir["set"]), _dir["three"], threads: 3);
        var one = File.ReadAllBytes(PreparedStore.DataPath(_dir["one"]));
        Assert.Equal(one, File.ReadAllBytes(PreparedStore.DataPath(_dir["two"])));
        Assert.Equal(one, File.ReadAllBytes(PreparedStore.DataPath(_dir["three"])));
        Assert.Equal(File.ReadAllBytes(PreparedStore.IndexPath(_dir["one"])), File.ReadAllBytes(PreparedStore.IndexPath(_dir["three"])));
    }

    [Fact]
    public void ProgressReportsDoneTotalAndRate()
    {
        MakeFolder();
        var events = new List<PrepareProgress>();
        Prepare(new ImageFolderSource(_dir["set"]), Store, progress: new SyncProgress(events.Add));
        Assert.Equal(PreparePhase.Checking, events[0].Phase);
        Assert.Contains(events, e => e.Phase == PreparePhase.Scanning);
        var building = events.Where(e => e.Phase == PreparePhase.Building).ToList();
        Assert.NotEmpty(building);
        Assert.All(building, e => Assert.Equal(11, e.Total));
        Assert.Equal(11, building[^1].Done);
        Assert.True(building.Zip(building.Skip(1)).All(p => p.First.Done < p.Second.Done));
        Assert.True(building[^1].ImagesPerSecond > 0);
        Assert.Equal(PreparePhase.Done, events[^1].Phase);

        events.Clear();
        Prepare(new ImageFolderSource(_dir["set"]), Store, progress: new SyncProgress(events.Add));
        Assert.Equal(PreparePhase.Done, events[^1].Phase);
        Assert.DoesNotContain(events, e => e.Phase == PreparePhase.Building);
    }

    [Fact]
    public void IndexRecordsSettingsAndHeaderMatches()
    {
        MakeFolder();
        var result = Prepare(new ImageFolderSource(_dir["set"]), Store);
        var json = File.ReadAllText(result.IndexPath, Encoding.UTF8);
        Assert.Contains("\"format\":\"dnas-prepared-store\"", json);
        Assert.Contains("\"spec\":\"16x16 rgb area centre-crop\"", json);
        Assert.Equal(StoreFormat.HeaderSize + 11L * 16 * 16 * 3, new FileInfo(result.DataPath).Length);
        var head = File.ReadAllBytes(result.DataPath).AsSpan(0, 8).ToArray();
        Assert.Equal("DNASIMGS"u8.ToArray(), head);
    }
}

internal sealed class SyncProgress(Action<PrepareProgress> action) : IProgress<PrepareProgress>
{
    public void Report(PrepareProgress value) => action(value);
}
