using Dnas.Config;
using Dnas.Data.Sources;
using Dnas.Data.Store;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>Every kind of bad input: skipped, counted, named in a warning (the first 10 and a
/// total), and the build stops when too many are bad or a class is empty.</summary>
public sealed class DatasetBadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Store => _dir["store"];

    private PrepareResult Prepare(IDataSource source, double maxBad = 0.5) =>
        StoreBuilder.Prepare(source, new StoreSettings(8, maxBadFraction: maxBad), Store);

    /// <summary>n good PNGs per class in set/a and set/b.</summary>
    private void Good(int n, string set = "set")
    {
        for (int i = 0; i < n; i++)
        {
            _dir.Write($"{set}/a/good{i}.png", Fixture.Png(12, 10, i));
            _dir.Write($"{set}/b/good{i}.png", Fixture.Png(10, 12, 100 + i));
        }
    }

    private static Diagnostic Warning(PrepareResult r, string file) =>
        Assert.Single(r.Warnings, w => w.Code == DiagnosticCodes.BadItem && w.File == file);

    [Fact]
    public void CorruptAndTruncatedImagesAreSkippedAndNamed()
    {
        Good(5);
        var png = Fixture.Png(12, 10, 50);
        var jpeg = Fixture.Jpeg(32, 32, 51);
        var truncatedPng = _dir.Write("set/a/cut.png", png.AsSpan(0, png.Length / 2).ToArray());
        var truncatedJpeg = _dir.Write("set/a/cut.jpg", jpeg.AsSpan(0, jpeg.Length * 2 / 3).ToArray());
        var corrupt = (byte[])png.Clone();
        corrupt[^20] ^= 0xFF; // inside IDAT / IEND: CRC mismatch
        var corruptPng = _dir.Write("set/b/corrupt.png", corrupt);
        var emptyFile = _dir.Write("set/b/empty.bmp", []);
        var r = Prepare(new ImageFolderSource(_dir["set"]));
        Assert.Equal(10, r.Index.Count);
        Assert.Equal(14, r.Index.SourceItems);
        Assert.Equal(4, r.Index.Bad.Count);
        Assert.Contains("PNG", Warning(r, truncatedPng).Message);
        Assert.Contains("JPEG", Warning(r, truncatedJpeg).Message);
        Warning(r, corruptPng);
        Assert.Contains("unknown format", Warning(r, emptyFile).Message);
        Assert.Equal(BadReason.CorruptImage, r.Index.Bad.Single(b => b.SourceFile == truncatedPng).Reason);
        var summary = Assert.Single(r.Warnings, w => w.Code == DiagnosticCodes.BadItemSummary);
        Assert.Contains("skipped 4 bad item(s) of 14", summary.Message);
        Assert.StartsWith(truncatedPng + ": warning DNAS101: skipped (corrupt image): PNG:", Warning(r, truncatedPng).ToString());
    }

    [Fact]
    public void UnknownFormatsAreSkipped()
    {
        Good(5);
        var text = _dir.WriteText("set/a/notes.txt", "not an image");
        var fake = _dir.WriteText("set/b/fake.png", "GIF89a pretending");
        var r = Prepare(new ImageFolderSource(_dir["set"]));
        Assert.Equal(BadReason.UnknownFormat, r.Index.Bad.Single(b => b.SourceFile == text).Reason);
        Assert.Equal(BadReason.UnknownFormat, r.Index.Bad.Single(b => b.SourceFile == fake).Reason);
        Assert.Contains("'.txt' is not an image type", Warning(r, text).Message);
        Assert.Contains("unknown magic", Warning(r, fake).Message);
    }

    [Fact]
    public void UnreadableFilesAreSkipped()
    {
        var items = new List<SourceItem>();
        for (int i = 0; i < 6; i++) items.Add(new BytesItem($"ok{i}", Fixture.Png(9, 9, i), i % 2));
        items.Add(new FailingItem("broken", 0));
        var r = Prepare(new ListSource(["x", "y"], items));
        var bad = Assert.Single(r.Index.Bad);
        Assert.Equal(BadReason.Unreadable, bad.Reason);
        Assert.Contains("Input/output error", Warning(r, "/virtual/broken").Message);
    }

    [Fact]
    public void UnreadableFileOnDiskIsSkipped()
    {
        // A file nobody may read (only meaningful when not running as root) and a dangling link.
        Good(5);
        var locked = _dir.Write("set/a/locked.png", Fixture.Png(5, 5, 1));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(locked, UnixFileMode.None);
        File.CreateSymbolicLink(_dir["set/b/dangling.png"], _dir["nowhere.png"]);
        var r = Prepare(new ImageFolderSource(_dir["set"]));
        Assert.Equal(BadReason.MissingFile, r.Index.Bad.Single(b => b.Id == "b/dangling.png").Reason);
        bool root = Environment.UserName == "root";
        if (!root) Assert.Equal(BadReason.Unreadable, r.Index.Bad.Single(b => b.Id == "a/locked.png").Reason);
        else Assert.DoesNotContain(r.Index.Bad, b => b.Id == "a/locked.png"); // root reads it anyway: it is a good image
    }

    [Fact]
    public void CsvRowsNamingMissingFilesAreSkippedWithTheirLine()
    {
        _dir.Write("wv/a.png", Fixture.Png(8, 8, 1));
        _dir.Write("wv/b.png", Fixture.Png(8, 8, 2));
        _dir.Write("wv/c.png", Fixture.Png(8, 8, 3));
        _dir.Write("wv/d.png", Fixture.Png(8, 8, 4));
        var csv = _dir.WriteText("wv/labels.csv", "filename,person\na.png,1\nmissing.png,1\nb.png,0\nc.png,0\nd.png,1\n,1\nshort\n");
        var r = Prepare(new WakeVisionCsvSource(csv));
        Assert.Equal(4, r.Index.Count);
        var missing = r.Index.Bad.Single(b => b.Id == "missing.png");
        Assert.Equal(BadReason.MissingFile, missing.Reason);
        Assert.Equal(3, missing.Line);
        var w = Assert.Single(r.Warnings, d => d.Code == DiagnosticCodes.BadItem && d.Line == 3);
        Assert.StartsWith($"{csv}(3): warning DNAS101: skipped (missing file)", w.ToString());
        Assert.Equal(BadReason.BadRow, r.Index.Bad.Single(b => b.Line == 7).Reason); // empty filename
        Assert.Equal(BadReason.BadRow, r.Index.Bad.Single(b => b.Line == 8).Reason); // too few fields
    }

    [Fact]
    public void LabelsOutsideTheClassListAreSkippedInEverySource()
    {
        // imagefolder: a folder that is not a configured class.
        Good(4);
        _dir.Write("set/c/extra.png", Fixture.Png(8, 8, 9));
        var r = Prepare(new ImageFolderSource(_dir["set"], ["a", "b"]));
        Assert.Equal(BadReason.LabelOutsideClasses, Assert.Single(r.Index.Bad).Reason);
        Assert.Contains("folder 'c' is not in the class list", r.Warnings[0].Message);

        // wake-vision CSV: person 2.
        for (int i = 0; i < 4; i++) _dir.Write($"wv/{i}.png", Fixture.Png(8, 8, i));
        var csv = _dir.WriteText("wv/l.csv", "filename,person\n0.png,0\n1.png,1\n2.png,2\n3.png,1\n");
        r = Prepare(new WakeVisionCsvSource(csv));
        Assert.Equal(BadReason.LabelOutsideClasses, Assert.Single(r.Index.Bad).Reason);
        Assert.Equal(4, r.Index.Bad[0].Line);

        // TFRecord: person 5.
        var jpeg = Fixture.Jpeg(16, 16, 1);
        _dir.Write("tf/x.tfrecord", TestTfRecord.File(TestTfRecord.WakeVision(jpeg, 0, "0"), TestTfRecord.WakeVision(jpeg, 1, "1"),
            TestTfRecord.WakeVision(jpeg, 5, "5"), TestTfRecord.WakeVision(jpeg, 1, "3")));
        r = Prepare(new WakeVisionTfRecordSource(_dir["tf"]));
        Assert.Equal("5", Assert.Single(r.Index.Bad, b => b.Reason == BadReason.LabelOutsideClasses).Id);

        // mlperf-tiny: label 7 of 2 classes.
        for (int i = 0; i < 4; i++) _dir.Write($"mt/{i}.bin", Fixture.Pixels(96, 96, i));
        _dir.WriteText("mt/y_labels.csv", "0.bin,2,0\n1.bin,2,1\n2.bin,2,7\n3.bin,2,1\n");
        r = Prepare(new MlperfTinySource(_dir["mt"]));
        Assert.Equal("2.bin", Assert.Single(r.Index.Bad, b => b.Reason == BadReason.LabelOutsideClasses).Id);

        // idx: label 9 with 3 configured classes.
        TestIdx.WriteSplit(_dir, "idx", "train", 7, 4, 4, [0, 1, 2, 9, 0, 1, 2], false, 1);
        r = Prepare(new IdxSource(_dir["idx"], ["x", "y", "z"]));
        Assert.Equal("train/000003", Assert.Single(r.Index.Bad).Id);
    }

    [Fact]
    public void TfRecordBadRecordsAreCounted()
    {
        var jpeg = Fixture.Jpeg(16, 16, 1);
        var file = TestTfRecord.File(TestTfRecord.WakeVision(jpeg, 0, "a"), TestTfRecord.WakeVision(jpeg, 1, "b"),
            TestTfRecord.WakeVision(jpeg, 0, "c"), TestTfRecord.WakeVision(jpeg, 1, "d"),
            TestTfRecord.Example(("person", TestTfRecord.Int64Feature(true, 1))),
            [0xFF, 0xFF, 0xFF]);
        int second = 12 + TestTfRecord.WakeVision(jpeg, 0, "a").Length + 4;
        file[second + 12 + 40] ^= 1; // record 1's data: CRC mismatch
        var shard = _dir.Write("tf/s.tfrecord", file.Concat(new byte[] { 1, 2, 3 }).ToArray());
        var r = Prepare(new WakeVisionTfRecordSource(shard), maxBad: 0.9);
        Assert.Equal(3, r.Index.Count);
        var reasons = r.Index.Bad.Select(b => (b.Id, b.Reason, b.Detail)).ToList();
        Assert.Contains(reasons, b => b.Id == "s.tfrecord#1" && b.Detail.Contains("data CRC mismatch"));
        Assert.Contains(reasons, b => b.Id == "s.tfrecord#4" && b.Detail.Contains("no 'image'"));
        Assert.Contains(reasons, b => b.Id == "s.tfrecord#5" && b.Detail.Contains("not a tf.train.Example"));
        Assert.Contains(reasons, b => b.Id == "s.tfrecord#6" && b.Detail.Contains("truncated header"));
        Assert.All(r.Index.Bad, b => Assert.Equal(BadReason.BadRecord, b.Reason));
    }

    [Fact]
    public void RawFilesOfTheWrongSizeAreSkipped()
    {
        for (int i = 0; i < 4; i++) _dir.Write($"mt/{i}.bin", Fixture.Pixels(96, 96, i));
        _dir.Write("mt/short.bin", new byte[100]);
        _dir.WriteText("mt/y_labels.csv", "0.bin,2,0\n1.bin,2,1\n2.bin,2,0\n3.bin,2,1\nshort.bin,2,1\ngone.bin,2,1\n");
        var r = Prepare(new MlperfTinySource(_dir["mt"]));
        Assert.Equal(BadReason.WrongSize, r.Index.Bad.Single(b => b.Id == "short.bin").Reason);
        Assert.Equal(BadReason.MissingFile, r.Index.Bad.Single(b => b.Id == "gone.bin").Reason);
    }

    [Fact]
    public void EmptyClassStopsTheBuild()
    {
        Good(3);
        var e = Assert.Throws<DataException>(() => Prepare(new ImageFolderSource(_dir["set"], ["a", "b", "cat"])));
        var d = Assert.Single(e.Diagnostics, x => x.Code == DiagnosticCodes.EmptyClass);
        Assert.Contains("class 'cat' has no usable images", d.Message);
        Assert.False(File.Exists(PreparedStore.IndexPath(Store)));
    }

    [Fact]
    public void ClassWhoseImagesAreAllBadIsEmpty()
    {
        for (int i = 0; i < 6; i++) _dir.Write($"set/a/{i}.png", Fixture.Png(8, 8, i));
        _dir.Write("set/b/only.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]);
        var e = Assert.Throws<DataException>(() => Prepare(new ImageFolderSource(_dir["set"])));
        Assert.Contains(e.Diagnostics, x => x.Code == DiagnosticCodes.EmptyClass && x.Message.Contains("'b'"));
        Assert.Contains(e.Diagnostics, x => x.Code == DiagnosticCodes.BadItem && x.File!.EndsWith("only.png"));
    }

    [Fact]
    public void TooManyBadItemsStopTheBuildNamingTheFirstTenAndTheTotal()
    {
        Good(5);
        for (int i = 0; i < 11; i++) _dir.WriteText($"set/a/junk{i:D2}.txt", "x");
        var e = Assert.Throws<DataException>(() => StoreBuilder.Prepare(new ImageFolderSource(_dir["set"]), new StoreSettings(8), Store));
        Assert.Equal(10, e.Diagnostics.Count(d => d.Code == DiagnosticCodes.BadItem));
        var error = Assert.Single(e.Diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal(DiagnosticCodes.TooManyBad, error.Code);
        Assert.Contains("11 of 21 items are bad (52.4%)", error.Message);
        Assert.Contains("max_bad_fraction (0.05)", error.Message);
        Assert.False(Directory.Exists(Store) && Directory.GetFiles(Store).Length > 0);
    }

    [Fact]
    public void TheBadFractionIsConfigurable()
    {
        Good(5);
        for (int i = 0; i < 11; i++) _dir.WriteText($"set/a/junk{i:D2}.txt", "x");
        var r = StoreBuilder.Prepare(new ImageFolderSource(_dir["set"]), new StoreSettings(8, maxBadFraction: 0.6), Store);
        Assert.Equal(10, r.Index.Count);
        Assert.Equal(10, r.Warnings.Count(w => w.Code == DiagnosticCodes.BadItem));
        Assert.Contains("skipped 11 bad item(s) of 21 (52.4%); the first 10 are listed above",
            Assert.Single(r.Warnings, w => w.Code == DiagnosticCodes.BadItemSummary).Message);
        // Reuse repeats the warnings.
        var again = StoreBuilder.Prepare(new ImageFolderSource(_dir["set"]), new StoreSettings(8, maxBadFraction: 0.6), Store);
        Assert.True(again.Reused);
        Assert.Equal(r.Warnings, again.Warnings);
    }

    [Fact]
    public void OneBadItemInTwentyIsWithinTheDefault()
    {
        for (int i = 0; i < 10; i++)
        {
            _dir.Write($"set/a/{i}.png", Fixture.Png(8, 8, i));
            _dir.Write($"set/b/{i}.png", Fixture.Png(8, 8, 10 + i));
        }
        _dir.WriteText("set/b/9.png", "broken");
        var r = StoreBuilder.Prepare(new ImageFolderSource(_dir["set"]), new StoreSettings(8), Store);
        Assert.Equal(19, r.Index.Count);
    }

    [Fact]
    public void NoImagesAtAllIsAnError()
    {
        Directory.CreateDirectory(_dir["set/a"]);
        var e = Assert.Throws<DataException>(() => Prepare(new ImageFolderSource(_dir["set"])));
        Assert.Equal(DiagnosticCodes.NoItems, e.Diagnostics[0].Code);
    }
}
