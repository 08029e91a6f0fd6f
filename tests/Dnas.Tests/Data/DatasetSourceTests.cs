using System.Text;
using Dnas.Config;
using Dnas.Data.Sources;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>Every source on fixtures written here: what it lists, the labels, given splits and
/// the decoded pixels.</summary>
public sealed class DatasetSourceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SourceItem Item(SourceScan scan, string id) => scan.Items.Single(i => i.Id == id);

    [Fact]
    public void ImageFolderListsEveryFormatWithSortedClassNames()
    {
        _dir.Write("set/person/a.png", Fixture.Png(20, 10, 1));
        _dir.Write("set/person/sub/b.BMP", Fixture.Bmp(9, 7, 2));
        _dir.Write("set/no_person/c.ppm", Fixture.Ppm(8, 8, 3));
        _dir.Write("set/no_person/d.pgm", Fixture.Pgm(8, 6, 4));
        _dir.Write("set/no_person/e.jpeg", Fixture.Jpeg(16, 16, 5));
        _dir.Write("set/Animal/f.jpg", Fixture.Jpeg(24, 8, 6));
        _dir.Write("set/.hidden/g.png", Fixture.Png(4, 4, 7));
        _dir.Write("set/person/.DS_Store", [1, 2]);
        _dir.Write("set/readme.txt", Encoding.ASCII.GetBytes("root files are ignored"));

        var scan = new ImageFolderSource(_dir["set"]).Scan();
        Assert.Equal(["Animal", "no_person", "person"], scan.Classes); // ordinal: upper case first
        Assert.Empty(scan.Bad);
        Assert.Equal(["Animal/f.jpg", "no_person/c.ppm", "no_person/d.pgm", "no_person/e.jpeg", "person/a.png", "person/sub/b.BMP"],
            scan.Items.Select(i => i.Id));
        Assert.Equal([0, 1, 1, 1, 2, 2], scan.Items.Select(i => i.Label));
        Assert.All(scan.Items, i => Assert.Equal(GivenSplit.None, i.Split));

        PixelAssert.Equal(20, 10, Fixture.Pixels(20, 10, 1), Item(scan, "person/a.png").Load(), "png");
        PixelAssert.Equal(9, 7, Fixture.Pixels(9, 7, 2), Item(scan, "person/sub/b.BMP").Load(), "bmp");
        var gray = Item(scan, "no_person/d.pgm").Load();
        var rgb = Fixture.Pixels(8, 6, 4);
        Assert.Equal(rgb[1], gray.Pixels[0]);
        Assert.Equal(rgb[1], gray.Pixels[2]);
    }

    [Fact]
    public void ImageFolderWithConfiguredClassesKeepsTheirOrder()
    {
        _dir.Write("set/person/a.png", Fixture.Png(4, 4, 1));
        _dir.Write("set/no_person/b.png", Fixture.Png(4, 4, 2));
        var scan = new ImageFolderSource(_dir["set"], ["person", "no_person"]).Scan();
        Assert.Equal(["person", "no_person"], scan.Classes);
        Assert.Equal(1, Item(scan, "no_person/b.png").Label);
        Assert.Equal(0, Item(scan, "person/a.png").Label);
    }

    [Fact]
    public void ImageFolderThatDoesNotExistIsAnError()
    {
        var e = Assert.Throws<DataException>(() => new ImageFolderSource(_dir["nope"]).Scan());
        Assert.Equal(DiagnosticCodes.SourceUnreadable, e.Diagnostics[0].Code);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void WakeVisionCsvReadsFilenamePersonAndSplitIgnoringOtherColumns()
    {
        _dir.Write("wv/images/train/a.jpg", Fixture.Jpeg(32, 24, 1));
        _dir.Write("wv/images/b, with comma.png", Fixture.Png(10, 10, 2));
        _dir.Write("wv/images/c.png", Fixture.Png(10, 10, 3));
        _dir.WriteText("wv/labels.csv",
            "filename,depiction,person,body_part,split\r\n" +
            "train/a.jpg,0,1,1,train\r\n" +
            "\"b, with comma.png\",1,0,\"x,y\",validation\r\n" +
            "c.png,0,0,0,\r\n");
        var scan = new WakeVisionCsvSource(_dir["wv/labels.csv"], _dir["wv/images"]).Scan();
        Assert.Equal(["no_person", "person"], scan.Classes);
        Assert.Empty(scan.Bad);
        Assert.Equal(1, Item(scan, "train/a.jpg").Label);
        Assert.Equal(GivenSplit.Train, Item(scan, "train/a.jpg").Split);
        Assert.Equal(GivenSplit.Val, Item(scan, "b, with comma.png").Split);
        Assert.Equal(GivenSplit.None, Item(scan, "c.png").Split);
        Assert.Equal(4, Item(scan, "c.png").Line);
        PixelAssert.Equal(10, 10, Fixture.Pixels(10, 10, 2), Item(scan, "b, with comma.png").Load(), "csv png");
    }

    [Fact]
    public void WakeVisionCsvWithoutTheNeededColumnsIsAnError()
    {
        _dir.WriteText("wv.csv", "file,person\na.jpg,1\n");
        var e = Assert.Throws<DataException>(() => new WakeVisionCsvSource(_dir["wv.csv"]).Scan());
        Assert.Contains("no 'filename' column", e.Message);
        Assert.Equal(1, e.Diagnostics[0].Line);
    }

    [Fact]
    public void WakeVisionTfRecordReadsImagesLabelsFilenamesAndShardSplits()
    {
        var jpegs = Enumerable.Range(0, 4).Select(i => Fixture.Jpeg(40, 30, 10 + i)).ToArray();
        _dir.Write("tf/wake_vision-train.tfrecord-00000-of-00002", TestTfRecord.File(
            TestTfRecord.WakeVision(jpegs[0], 1, "img0.jpg"), TestTfRecord.WakeVision(jpegs[1], 0, "img1.jpg")));
        _dir.Write("tf/wake_vision-validation.tfrecord-00000-of-00001", TestTfRecord.File(
            TestTfRecord.WakeVision(jpegs[2], 0, "img2.jpg"),
            TestTfRecord.Example(("image", TestTfRecord.BytesFeature(jpegs[3])), ("person", TestTfRecord.Int64Feature(false, 1)))));
        _dir.WriteText("tf/dataset_info.json", "{}");
        var source = new WakeVisionTfRecordSource(_dir["tf"]);
        Assert.Equal(2, source.Shards().Count);
        var scan = source.Scan();
        Assert.Empty(scan.Bad);
        Assert.Equal(4, scan.Items.Count);
        Assert.Equal(1, Item(scan, "img0.jpg").Label);
        Assert.Equal(GivenSplit.Train, Item(scan, "img1.jpg").Split);
        Assert.Equal(GivenSplit.Val, Item(scan, "img2.jpg").Split);
        var unnamed = Item(scan, "wake_vision-validation.tfrecord-00000-of-00001#1");
        Assert.Equal(1, unnamed.Label);
        Assert.EndsWith("#1", unnamed.SourceFile);
        for (int i = 0; i < 3; i++) Assert.Equal(jpegs[i], Item(scan, $"img{i}.jpg").ReadBytes());
        Assert.Equal(jpegs[3], unnamed.ReadBytes());
        PixelAssert.Equal(40, 30, Dnas.Data.Images.ImageDecoder.Decode(jpegs[0], "x").Pixels, Item(scan, "img0.jpg").Load(), "tfrecord jpeg");
    }

    [Theory]
    [InlineData("wake_vision-train.tfrecord-00000-of-01024", GivenSplit.Train)]
    [InlineData("wake_vision-validation.tfrecord-00000-of-00001", GivenSplit.Val)]
    [InlineData("wv_test.tfrecord", GivenSplit.Test)]
    [InlineData("shard-00001.tfrecord", GivenSplit.None)]
    [InlineData("trainee.tfrecord", GivenSplit.None)]
    public void ShardNamesGiveSplits(string name, GivenSplit split) => Assert.Equal(split, WakeVisionTfRecordSource.SplitOfShard(name));

    [Fact]
    public void MlperfTinyReadsRawFilesWithOrWithoutHeader()
    {
        var a = Fixture.Pixels(96, 96, 1);
        var b = Fixture.Pixels(96, 96, 2);
        _dir.Write("mt/a.bin", a);
        _dir.Write("mt/b.bin", b);
        _dir.Write("mt/unlisted.bin", a);
        _dir.WriteText("mt/y_labels.csv", "a.bin, 2, 1\nb.bin, 2, 0\n");
        var scan = new MlperfTinySource(_dir["mt"]).Scan();
        Assert.Equal(["no_person", "person"], scan.Classes);
        Assert.Equal(["a.bin", "b.bin"], scan.Items.Select(i => i.Id));
        Assert.Equal([1, 0], scan.Items.Select(i => i.Label));
        PixelAssert.Equal(96, 96, a, scan.Items[0].Load(), "raw");

        _dir.WriteText("mt/labels2.csv", "file,classes,label\nb.bin,3,2\n");
        var scan2 = new MlperfTinySource(_dir["mt"], _dir["mt/labels2.csv"]).Scan();
        Assert.Equal(["0", "1", "2"], scan2.Classes);
        Assert.Equal(2, Assert.Single(scan2.Items).Label);
    }

    [Fact]
    public void MlperfTinyHonoursRawSize()
    {
        _dir.Write("mt/a.bin", Fixture.Pixels(32, 32, 1));
        _dir.WriteText("mt/y_labels.csv", "a.bin,2,0\n");
        var item = Assert.Single(new MlperfTinySource(_dir["mt"], rawSize: 32).Scan().Items);
        Assert.Equal(32, item.Load().Width);
        var wrong = Assert.Single(new MlperfTinySource(_dir["mt"]).Scan().Items);
        var e = Assert.Throws<BadItemException>(() => wrong.Load());
        Assert.Equal(BadReason.WrongSize, e.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxGivesTestFromT10kAndReplicatesGrayToRgb(bool gzip)
    {
        byte[] trainLabels = [0, 1, 2, 1, 0, 2], testLabels = [2, 0];
        var train = TestIdx.WriteSplit(_dir, "idx", "train", 6, 5, 4, trainLabels, gzip, 1);
        TestIdx.WriteSplit(_dir, "idx", "t10k", 2, 5, 4, testLabels, gzip, 2);
        var scan = new IdxSource(_dir["idx"]).Scan();
        Assert.Equal(["0", "1", "2"], scan.Classes);
        Assert.Equal(8, scan.Items.Count);
        Assert.All(scan.Items.Where(i => i.Id.StartsWith("train/")), i => Assert.Equal(GivenSplit.TrainOrVal, i.Split));
        Assert.All(scan.Items.Where(i => i.Id.StartsWith("t10k/")), i => Assert.Equal(GivenSplit.Test, i.Split));
        var item = Item(scan, "train/000003");
        Assert.Equal(1, item.Label);
        var image = item.Load();
        Assert.Equal((4, 5), (image.Width, image.Height));
        for (int p = 0; p < 20; p++)
            for (int c = 0; c < 3; c++) Assert.Equal(train[3 * 20 + p], image.Pixels[3 * p + c]);
    }

    [Fact]
    public void IdxWithoutT10kSplitsEverythingAndNamedClassesWork()
    {
        TestIdx.WriteSplit(_dir, "idx", "train", 3, 2, 2, [0, 1, 1], false, 1);
        var scan = new IdxSource(_dir["idx"], ["zero", "one"]).Scan();
        Assert.Equal(["zero", "one"], scan.Classes);
        Assert.All(scan.Items, i => Assert.Equal(GivenSplit.None, i.Split));
    }

    [Fact]
    public void IdxWithMissingOrBrokenFilesIsAnError()
    {
        TestIdx.WriteSplit(_dir, "idx", "train", 3, 2, 2, [0, 1, 1], false, 1);
        File.Delete(_dir["idx/train-labels-idx1-ubyte"]);
        var e = Assert.Throws<DataException>(() => new IdxSource(_dir["idx"]).Scan());
        Assert.Contains("train-labels-idx1-ubyte", e.Message);

        _dir.Write("idx/train-labels-idx1-ubyte", [0, 0, 8]);
        e = Assert.Throws<DataException>(() => new IdxSource(_dir["idx"]).Scan());
        Assert.Equal(DiagnosticCodes.SourceUnreadable, e.Diagnostics[0].Code);
    }

    [Fact]
    public void SyntheticSourceRendersTheGeneratorsScenes()
    {
        var source = DataSources.Create(new DataConfig { Source = DataSourceKind.Synthetic, Images = 40, Seed = 3 });
        var scan = source.Scan();
        Assert.Equal(new[] { "no_person", "person" }, scan.Classes);
        Assert.Equal(40, scan.Items.Count);
        Assert.Empty(scan.Bad);
        Assert.Equal(20, scan.Items.Count(i => i.Label == 1)); // the generator pairs its labels
        var scenes = new Dnas.Data.Synthetic.SyntheticScenes(3);
        var item = scan.Items[7];
        Assert.Equal(scenes.Label(7), item.Label);
        var image = item.Load(minSide: 64);
        Assert.Equal((64, 64), (image.Width, image.Height));
        Assert.Equal(scenes.Render(7, 64, 64).Pixels, image.Pixels);
        // The "bytes" name the scene, so different seeds give different content hashes.
        var other = new SyntheticSource(40, 4, null).Scan().Items[7];
        Assert.NotEqual(item.ReadBytes(), other.ReadBytes());
        Assert.Throws<DataException>(() => new SyntheticSource(40, 3, ["cat", "dog"]));
    }
}
