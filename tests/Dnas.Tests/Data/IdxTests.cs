using System.Buffers.Binary;
using System.IO.Compression;
using Dnas.Data;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>The IDX reader on small files written here, plain and gzipped, and every error case.</summary>
public sealed class IdxTests : IDisposable
{
    private readonly TempDir _temp = new();
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    private static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Pixels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 + 3)).ToArray();

    [Fact]
    public void ReadsPlainFile()
    {
        var pixels = Pixels(3 * 4 * 5);
        var path = Write("images-idx3-ubyte", Idx(0x08, [3, 4, 5], pixels));
        var f = IdxFile.Read(path);
        Assert.Equal([3, 4, 5], f.Dims);
        Assert.Equal(pixels, f.Data);
        Assert.False(f.WasGzipped);
        Assert.Equal(path, f.Path);
    }

    [Fact]
    public void ReadsGzippedFile()
    {
        var pixels = Pixels(2 * 28 * 28);
        var path = Write("images-idx3-ubyte.gz", Gzip(Idx(0x08, [2, 28, 28], pixels)));
        var f = IdxFile.Read(path);
        Assert.Equal([2, 28, 28], f.Dims);
        Assert.Equal(pixels, f.Data);
        Assert.True(f.WasGzipped);
    }

    [Fact]
    public void DetectsGzipByMagicNotByName()
    {
        var labels = new byte[] { 1, 0, 9, 4 };
        var zippedNoSuffix = Write("labels-a", Gzip(Idx(0x08, [4], labels)));
        var plainWithSuffix = Write("labels-b.gz", Idx(0x08, [4], labels));
        Assert.Equal(labels, IdxFile.Read(zippedNoSuffix).Data);
        Assert.True(IdxFile.Read(zippedNoSuffix).WasGzipped);
        Assert.Equal(labels, IdxFile.Read(plainWithSuffix).Data);
        Assert.False(IdxFile.Read(plainWithSuffix).WasGzipped);
    }

    [Fact]
    public void ReadsZeroLengthDimension()
    {
        var f = IdxFile.Read(Write("empty-idx1", Idx(0x08, [0], [])));
        Assert.Equal([0], f.Dims);
        Assert.Empty(f.Data);
    }

    [Fact]
    public void LoadsImagesAndLabelsPair()
    {
        var pixels = Pixels(3 * 6 * 5);
        var labels = new byte[] { 7, 0, 2 };
        var images = Write("x-images-idx3-ubyte.gz", Gzip(Idx(0x08, [3, 6, 5], pixels)));
        var lab = Write("x-labels-idx1-ubyte", Idx(0x08, [3], labels));
        var ds = IdxDataset.Load(images, lab);
        Assert.Equal(3, ds.Count);
        Assert.Equal(6, ds.Height);
        Assert.Equal(5, ds.Width);
        Assert.Equal(pixels, ds.Images);
        Assert.Equal(labels, ds.Labels);
        Assert.Equal(8, ds.Classes);
        Assert.Equal(pixels.AsSpan(30, 30).ToArray(), ds.Image(1).ToArray());
    }

    [Fact]
    public void LoadSplitFindsGzippedAndPlainFiles()
    {
        Write("train-images-idx3-ubyte.gz", Gzip(Idx(0x08, [2, 2, 2], Pixels(8))));
        Write("train-labels-idx1-ubyte", Idx(0x08, [2], [1, 2]));
        var ds = IdxDataset.LoadSplit(_dir, "train");
        Assert.Equal(2, ds.Count);
        Assert.Equal(new byte[] { 1, 2 }, ds.Labels);
        var e = Assert.Throws<FileNotFoundException>(() => IdxDataset.LoadSplit(_dir, "t10k"));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(_dir, "nope-idx1-ubyte");
        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedPlainDataIsReported()
    {
        var full = Idx(0x08, [4, 3, 3], Pixels(36));
        var path = Write("cut-images", full[..^5]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("36 bytes", e.Message);
        Assert.Contains("only 31", e.Message);
        Assert.Contains("download it again", e.Message);
    }

    [Fact]
    public void TruncatedGzippedDataIsReported()
    {
        // Compress a payload that is shorter than the header claims: a well-formed gzip stream
        // around a truncated IDX file.
        var full = Idx(0x08, [10, 8, 8], Pixels(640));
        var path = Write("cut-images.gz", Gzip(full[..^100]));
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("after decompression", e.Message);
    }

    [Fact]
    public void CutGzipStreamIsReported()
    {
        // The compressed bytes themselves cut short, as by an interrupted download.
        var rng = new Random(5);
        var pixels = new byte[20000];
        rng.NextBytes(pixels);
        var zipped = Gzip(Idx(0x08, [20, 1000], pixels));
        var path = Write("cut-stream.gz", zipped[..(zipped.Length / 2)]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Matches("truncated|corrupt", e.Message);
        Assert.Contains("download", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        var full = Idx(0x08, [4, 3, 3], Pixels(36));
        var path = Write("cut-header", full[..9]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated header", e.Message);
    }

    [Fact]
    public void EmptyFileIsReported()
    {
        var path = Write("empty", []);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty or truncated", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0 })] // a zip archive, not gzip
    [InlineData(new byte[] { 0, 1, 0x08, 1, 0, 0, 0, 0 })]          // second byte not zero
    [InlineData(new byte[] { 0, 0, 0x08, 0, 0, 0, 0, 0 })]          // zero dimensions
    [InlineData(new byte[] { 0, 0, 0x08, 200, 0, 0, 0, 0 })]        // absurd dimension count
    public void BadMagicIsReported(byte[] bytes)
    {
        var path = Write("bad-magic", bytes);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("bad IDX magic", e.Message);
        Assert.Contains("not an IDX file", e.Message);
    }

    [Theory]
    [InlineData(0x0D, "float32")]
    [InlineData(0x0C, "int32")]
    [InlineData(0x09, "signed byte")]
    [InlineData(0x42, "unknown type")]
    public void UnsupportedTypeIsNamed(byte type, string name)
    {
        var path = Write("floats-idx1", Idx(type, [2], new byte[8]));
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"0x{type:x2}", e.Message);
        Assert.Contains(name, e.Message);
        Assert.Contains("only 0x08", e.Message);
    }

    [Fact]
    public void UnsupportedTypeInGzipIsNamed()
    {
        var path = Write("floats.gz", Gzip(Idx(0x0D, [2], new byte[8])));
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x0d (float32)", e.Message);
    }

    [Fact]
    public void TrailingDataIsReported()
    {
        var bytes = Idx(0x08, [3], [1, 2, 3]).Concat(new byte[] { 9, 9 }).ToArray();
        var path = Write("long-labels", bytes);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("more data than dimensions [3]", e.Message);
    }

    [Fact]
    public void NegativeDimensionIsReported()
    {
        var path = Write("neg", Idx(0x08, [-1], []));
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));
        Assert.Contains("negative", e.Message);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        var images = Write("train-images-idx3-ubyte", Idx(0x08, [5, 2, 2], Pixels(20)));
        var labels = Write("t10k-labels-idx1-ubyte", Idx(0x08, [4], [0, 1, 2, 3]));
        var e = Assert.Throws<IdxFormatException>(() => IdxDataset.Load(images, labels));
        Assert.Equal(labels, e.Path);
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("4 labels", e.Message);
        Assert.Contains("5 images", e.Message);
        Assert.Contains("same split", e.Message);
    }

    [Fact]
    public void SwappedFilesAreReported()
    {
        var images = Write("i-images", Idx(0x08, [2, 2, 2], Pixels(8)));
        var labels = Write("l-labels", Idx(0x08, [2], [0, 1]));
        var e = Assert.Throws<IdxFormatException>(() => IdxDataset.Load(labels, images));
        Assert.Equal(labels, e.Path);
        Assert.Contains("3 dimensions", e.Message);
        var e2 = Assert.Throws<IdxFormatException>(() => IdxDataset.Load(images, images));
        Assert.Contains("1 dimension", e2.Message);
    }
}
