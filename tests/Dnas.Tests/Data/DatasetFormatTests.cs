using System.Text;
using Dnas.Data.Sources;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>The low-level formats under the sources: CRC-32C, TFRecord framing, tf.train.Example
/// parsing and RFC 4180 CSV.</summary>
public sealed class DatasetFormatTests
{
    [Fact]
    public void Crc32CMatchesTheStandardCheckValue()
    {
        var check = "123456789"u8;
        Assert.Equal(0xE3069283u, Crc32C.Compute(check));
        Assert.Equal(0xE3069283u, Crc32C.ComputeSoftware(check));
        Assert.Equal(0xE3069283u, TestCrc32C.Compute(check));
        Assert.Equal(0u, Crc32C.Compute([]));
        // RFC 3720 (iSCSI) B.4 vectors: 32 bytes of zeros, of 0xFF, and 0..31.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void HardwareAndSoftwareCrc32CAgreeOnEveryLengthAndAlignment()
    {
        var rng = new Random(5);
        var data = new byte[300];
        rng.NextBytes(data);
        for (int start = 0; start < 9; start++)
            for (int length = 0; start + length <= data.Length; length += 7)
            {
                var span = data.AsSpan(start, length);
                uint expected = TestCrc32C.Compute(span);
                Assert.Equal(expected, Crc32C.Compute(span));
                Assert.Equal(expected, Crc32C.ComputeSoftware(span));
            }
    }

    [Fact]
    public void MaskIsTensorFlowsAndUnmaskInvertsIt()
    {
        uint crc = 0xE3069283;
        Assert.Equal(unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8), Crc32C.Mask(crc));
        foreach (uint v in new uint[] { 0, 1, 0xFFFFFFFF, 0x12345678, crc }) Assert.Equal(v, Crc32C.Unmask(Crc32C.Mask(v)));
        // A known TFRecord value: the masked CRC of the 8-byte length 0 (an empty record's header).
        Assert.Equal(TestCrc32C.Masked(new byte[8]), Crc32C.Masked(new byte[8]));
    }

    [Fact]
    public void TfRecordReaderReadsRecordsAndOffsets()
    {
        using var dir = new TempDir();
        byte[] a = Encoding.ASCII.GetBytes("first record"), b = [], c = new byte[70000];
        new Random(1).NextBytes(c);
        var path = dir.Write("x.tfrecord", TestTfRecord.File(a, b, c));
        var records = TfRecordReader.Read(path).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Null(r.Problem));
        Assert.Equal(a, records[0].Data);
        Assert.Empty(records[1].Data!);
        Assert.Equal(c, records[2].Data);
        Assert.Equal(12, records[0].DataOffset);
        Assert.Equal(12 + a.Length + 4 + 12, records[1].DataOffset);
        Assert.Equal([0, 1, 2], records.Select(r => r.Index));
    }

    [Fact]
    public void TfRecordDataCrcMismatchIsOneBadRecordAndReadingGoesOn()
    {
        using var dir = new TempDir();
        var file = TestTfRecord.File([1, 2, 3], [4, 5, 6], [7, 8, 9]);
        file[12 + 3 + 4 + 12 + 1] ^= 0x40; // a data byte of record 1
        var records = TfRecordReader.Read(dir.Write("x.tfrecord", file)).ToList();
        Assert.Equal(3, records.Count);
        Assert.Null(records[0].Problem);
        Assert.Contains("data CRC mismatch", records[1].Problem);
        Assert.Null(records[1].Data);
        Assert.Equal(new byte[] { 7, 8, 9 }, records[2].Data);
    }

    [Fact]
    public void TfRecordLengthCrcMismatchOrTruncationEndsTheFile()
    {
        using var dir = new TempDir();
        var file = TestTfRecord.File([1, 2, 3], [4, 5, 6]);
        var badLength = (byte[])file.Clone();
        badLength[19 + 8] ^= 1; // length CRC of record 1
        var records = TfRecordReader.Read(dir.Write("a.tfrecord", badLength)).ToList();
        Assert.Equal(2, records.Count);
        Assert.Contains("length CRC mismatch", records[1].Problem);

        var cut = file.AsSpan(0, file.Length - 2).ToArray();
        records = TfRecordReader.Read(dir.Write("b.tfrecord", cut)).ToList();
        Assert.Equal(2, records.Count);
        Assert.Contains("truncated", records[1].Problem);

        var header = file.AsSpan(0, 19 + 5).ToArray();
        records = TfRecordReader.Read(dir.Write("c.tfrecord", header)).ToList();
        Assert.Contains("truncated header", records[1].Problem);
    }

    [Fact]
    public void GzipShardIsAClearError()
    {
        using var dir = new TempDir();
        var path = dir.Write("x.tfrecord.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var e = Assert.Throws<DataException>(() => TfRecordReader.Read(path).ToList());
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void ExampleParserReadsBytesInt64AndFloatFeatures()
    {
        var image = new byte[300];
        new Random(2).NextBytes(image);
        var data = TestTfRecord.Example(
            ("image", TestTfRecord.BytesFeature(image, [9, 9])),
            ("person", TestTfRecord.Int64Feature(packed: true, 1, -5, 300)),
            ("unpacked", TestTfRecord.Int64Feature(packed: false, 7, 1L << 40)),
            ("score", TestTfRecord.FloatFeature(0.25f, -2f)),
            ("filename", TestTfRecord.BytesFeature("a/b.jpg"u8.ToArray())));
        var f = TfExample.Parse(data);
        Assert.Equal(TfFeature.FeatureKind.Bytes, f["image"].Kind);
        var (offset, length) = f["image"].Bytes[0];
        Assert.Equal(image, data.AsSpan(offset, length).ToArray());
        Assert.Equal(2, f["image"].Bytes.Count);
        Assert.Equal([1L, -5L, 300L], f["person"].Int64s);
        Assert.Equal([7L, 1L << 40], f["unpacked"].Int64s);
        Assert.Equal([0.25f, -2f], f["score"].Floats);
        Assert.Equal("a/b.jpg", TfExample.FirstString(data, f["filename"]));

        var only = TfExample.Parse(data, ["person"]);
        Assert.Equal(["person"], only.Keys);
    }

    [Fact]
    public void ExampleParserRejectsTruncatedMessages()
    {
        var data = TestTfRecord.Example(("image", TestTfRecord.BytesFeature(new byte[50])));
        // The first 3 bytes are the unknown varint field 7 (a complete message on its own);
        // every longer cut ends inside the features field.
        Assert.Empty(TfExample.Parse(data.AsSpan(0, 3).ToArray()));
        for (int cut = 4; cut < data.Length; cut++)
        {
            var part = data.AsSpan(0, cut).ToArray();
            Assert.ThrowsAny<IOException>(() => TfExample.Parse(part));
        }
        Assert.ThrowsAny<IOException>(() => TfExample.Parse([0x38]));
    }

    private static List<string[]> Csv(string text) => Dnas.Data.Sources.Csv.Read(new StringReader(text)).Select(r => r.Fields).ToList();

    [Fact]
    public void CsvFollowsRfc4180Quoting()
    {
        var rows = Csv("filename,person,note\r\n\"a,b.jpg\",1,\"say \"\"hi\"\"\"\r\nplain.jpg,0,\"two\r\nlines\"\r\n");
        Assert.Equal(3, rows.Count);
        Assert.Equal(["filename", "person", "note"], rows[0]);
        Assert.Equal(["a,b.jpg", "1", "say \"hi\""], rows[1]);
        Assert.Equal(["plain.jpg", "0", "two\r\nlines"], rows[2]);
    }

    [Fact]
    public void CsvLineNumbersCountLineBreaksInsideQuotes()
    {
        var records = Dnas.Data.Sources.Csv.Read(new StringReader("h\n\"x\ny\"\n\nlast\n")).ToList();
        Assert.Equal([1, 2, 5], records.Select(r => r.Line));
        Assert.Equal("last", records[2].Fields[0]);
    }

    [Fact]
    public void CsvEdgeCases()
    {
        Assert.Equal([["a", "", "c"]], Csv("a,,c"));                 // no final line break
        Assert.Equal([["", ""]], Csv(",\n"));                        // two empty fields
        Assert.Equal([[""]], Csv("\"\"\n"));                          // one quoted empty field
        Assert.Equal([["a\"b"]], Csv("a\"b\n"));                      // stray quote kept
        Assert.Equal([["x"], ["y"]], Csv("\uFEFFx\ry\r"));            // BOM dropped, bare CR
        Assert.Empty(Csv("\n\n"));
        var e = Assert.Throws<FormatException>(() => Csv("a\n\"open,\nmore"));
        Assert.Contains("line 2", e.Message);
    }
}
