using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace Dnas.Data.Sources;

/// <summary>One record of a TFRecord file: its position, and either its data or what is wrong with it.</summary>
/// <param name="Index">0-based record number in the file.</param>
/// <param name="DataOffset">File offset of the record's data (after the 12-byte header).</param>
/// <param name="Data">The data, null when <paramref name="Problem"/> is set.</param>
/// <param name="Problem">Why the record is unusable, or null.</param>
public readonly record struct TfRecordEntry(int Index, long DataOffset, byte[]? Data, string? Problem);

/// <summary>Reads TFRecord files (TensorFlow's record framing), uncompressed:
/// <code>
/// uint64 length (little-endian) | uint32 masked CRC-32C of the 8 length bytes
/// byte   data[length]           | uint32 masked CRC-32C of the data
/// </code>
/// with mask(crc) = ((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8 (<see cref="Crc32C.Mask"/>).
/// A record whose data CRC is wrong is reported and reading goes on (its length was sound); a
/// wrong length CRC or a record cut short ends the file (nothing after it can be located).</summary>
public static class TfRecordReader
{
    /// <summary>Records larger than this are treated as corrupt lengths.</summary>
    public const long MaxRecordLength = 1L << 30;

    public static IEnumerable<TfRecordEntry> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        long fileLength = stream.Length;
        var header = new byte[12];
        var crc = new byte[4];
        int index = 0;
        bool firstRecord = true;
        while (true)
        {
            long start = stream.Position;
            int got = ReadFully(stream, header);
            if (got == 0) yield break;
            if (firstRecord && got >= 2 && header[0] == 0x1f && header[1] == 0x8b)
                throw DataException.Unreadable(path, "the shard is gzip-compressed; only uncompressed TFRecord files are read here (decompress it with gunzip)");
            firstRecord = false;
            if (got < 12)
            {
                yield return new TfRecordEntry(index, start + 12, null, $"record {index} at offset {start}: truncated header ({got} of 12 bytes)");
                yield break;
            }
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            if (Crc32C.Masked(header.AsSpan(0, 8)) != lengthCrc)
            {
                yield return new TfRecordEntry(index, start + 12, null, $"record {index} at offset {start}: length CRC mismatch (the rest of the file is skipped)");
                yield break;
            }
            long remaining = fileLength - stream.Position;
            if (length > MaxRecordLength || (long)length + 4 > remaining)
            {
                yield return new TfRecordEntry(index, start + 12, null,
                    $"record {index} at offset {start}: truncated ({length} data bytes announced, {Math.Max(0, remaining - 4)} remain)");
                yield break;
            }
            var data = new byte[length];
            if (ReadFully(stream, data) != data.Length || ReadFully(stream, crc) != 4)
            {
                yield return new TfRecordEntry(index, start + 12, null, $"record {index} at offset {start}: truncated");
                yield break;
            }
            if (Crc32C.Masked(data) != BinaryPrimitives.ReadUInt32LittleEndian(crc))
                yield return new TfRecordEntry(index, start + 12, null, $"record {index} at offset {start}: data CRC mismatch");
            else
                yield return new TfRecordEntry(index, start + 12, data, null);
            index++;
        }
    }

    private static int ReadFully(Stream s, Span<byte> buffer) => s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
}

/// <summary>One feature of a <c>tf.train.Example</c>: byte strings (as offsets into the record
/// data, so image bytes are not copied), int64 values or float values.</summary>
public sealed class TfFeature
{
    public enum FeatureKind { None, Bytes, Float, Int64 }

    public FeatureKind Kind { get; internal set; }
    public List<(int Offset, int Length)> Bytes { get; } = [];
    public List<long> Int64s { get; } = [];
    public List<float> Floats { get; } = [];
}

/// <summary>Parses the parts of <c>tf.train.Example</c> (tensorflow/core/example) that data sets
/// use, with Google.Protobuf's <see cref="CodedInputStream"/> and no generated code:
/// <code>
/// message Example  { Features features = 1; }
/// message Features { map&lt;string, Feature&gt; feature = 1; }      // entry: key = 1, value = 2
/// message Feature  { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
/// message BytesList { repeated bytes value = 1; }
/// message FloatList { repeated float value = 1 [packed = true]; }
/// message Int64List { repeated int64 value = 1 [packed = true]; }
/// </code>
/// Unknown fields are skipped; packed and unpacked repeated numbers are both accepted. Malformed
/// data throws an <see cref="IOException"/> (<see cref="InvalidProtocolBufferException"/> or <see cref="TfExampleException"/>).</summary>
public static class TfExample
{
    /// <summary>The features of an Example held in <paramref name="data"/>; only the names in
    /// <paramref name="wanted"/> are decoded (all when null).</summary>
    public static Dictionary<string, TfFeature> Parse(byte[] data, IReadOnlyCollection<string>? wanted = null)
    {
        var result = new Dictionary<string, TfFeature>(StringComparer.Ordinal);
        foreach (var (field, wire, start, length) in Fields(data, 0, data.Length))
        {
            if (field != 1 || wire != WireFormat.WireType.LengthDelimited) continue;          // Example.features
            foreach (var (f2, w2, s2, l2) in Fields(data, start, start + length))
            {
                if (f2 != 1 || w2 != WireFormat.WireType.LengthDelimited) continue;           // Features.feature (map entry)
                string? key = null;
                int valueStart = -1, valueLength = 0;
                foreach (var (f3, w3, s3, l3) in Fields(data, s2, s2 + l2))
                {
                    if (w3 != WireFormat.WireType.LengthDelimited) continue;
                    if (f3 == 1) key = Utf8(data, s3, l3);
                    else if (f3 == 2) { valueStart = s3; valueLength = l3; }
                }
                key ??= "";
                if (wanted != null && !wanted.Contains(key)) continue;
                var feature = new TfFeature();
                if (valueStart >= 0) ParseFeature(data, valueStart, valueStart + valueLength, feature);
                result[key] = feature;
            }
        }
        return result;
    }

    private static void ParseFeature(byte[] data, int start, int end, TfFeature feature)
    {
        foreach (var (field, wire, s, l) in Fields(data, start, end))
        {
            if (wire != WireFormat.WireType.LengthDelimited) continue;
            // oneof: the last kind present wins.
            feature.Bytes.Clear(); feature.Int64s.Clear(); feature.Floats.Clear();
            switch (field)
            {
                case 1:
                    feature.Kind = TfFeature.FeatureKind.Bytes;
                    foreach (var (f, w, vs, vl) in Fields(data, s, s + l))
                        if (f == 1 && w == WireFormat.WireType.LengthDelimited) feature.Bytes.Add((vs, vl));
                    break;
                case 2:
                    feature.Kind = TfFeature.FeatureKind.Float;
                    ReadNumbers(data, s, s + l, feature, floats: true);
                    break;
                case 3:
                    feature.Kind = TfFeature.FeatureKind.Int64;
                    ReadNumbers(data, s, s + l, feature, floats: false);
                    break;
            }
        }
    }

    private static void ReadNumbers(byte[] data, int start, int end, TfFeature feature, bool floats)
    {
        int pos = start;
        while (pos < end)
        {
            var s = new CodedInputStream(data, pos, end - pos);
            uint tag = s.ReadTag();
            if (tag == 0) throw new TfExampleException("invalid tag 0");
            var wire = WireFormat.GetTagWireType(tag);
            if (WireFormat.GetTagFieldNumber(tag) != 1)
            {
                s.SkipLastField();
                pos = (int)s.Position;
                continue;
            }
            if (wire == WireFormat.WireType.LengthDelimited)                   // packed
            {
                int n = s.ReadLength();
                int p = (int)s.Position;
                if (n < 0 || p + n > end) throw new TfExampleException("packed field runs past its message");
                int q = p;
                while (q < p + n)
                {
                    var v = new CodedInputStream(data, q, p + n - q);
                    if (floats) feature.Floats.Add(v.ReadFloat()); else feature.Int64s.Add(v.ReadInt64());
                    q = (int)v.Position;
                }
                pos = p + n;
            }
            else if (floats && wire == WireFormat.WireType.Fixed32) { feature.Floats.Add(s.ReadFloat()); pos = (int)s.Position; }
            else if (!floats && wire == WireFormat.WireType.Varint) { feature.Int64s.Add(s.ReadInt64()); pos = (int)s.Position; }
            else { s.SkipLastField(); pos = (int)s.Position; }
        }
    }

    /// <summary>The top-level fields of the message in data[start, end): number, wire type, and for
    /// length-delimited fields the payload's offset and length (other fields: offset of the value,
    /// length 0). A fresh stream per field keeps every position absolute and bounded by end.</summary>
    private static IEnumerable<(int Field, WireFormat.WireType Wire, int Start, int Length)> Fields(byte[] data, int start, int end)
    {
        int pos = start;
        while (pos < end)
        {
            var s = new CodedInputStream(data, pos, end - pos);
            uint tag = s.ReadTag();
            if (tag == 0) throw new TfExampleException("invalid tag 0");
            int field = WireFormat.GetTagFieldNumber(tag);
            var wire = WireFormat.GetTagWireType(tag);
            if (wire == WireFormat.WireType.LengthDelimited)
            {
                int n = s.ReadLength();
                int p = (int)s.Position;
                if (n < 0 || (long)p + n > end) throw new TfExampleException($"field {field} ({n} bytes) runs past the end of its message");
                yield return (field, wire, p, n);
                pos = p + n;
            }
            else
            {
                int valueAt = (int)s.Position;
                s.SkipLastField();
                int next = (int)s.Position;
                if (next > end || next <= pos) throw new TfExampleException($"field {field} runs past the end of its message");
                yield return (field, wire, valueAt, 0);
                pos = next;
            }
        }
    }

    private static string Utf8(byte[] data, int start, int length) => Encoding.UTF8.GetString(data, start, length);

    /// <summary>The first byte string of a bytes feature as text, or null.</summary>
    public static string? FirstString(byte[] data, TfFeature? feature) =>
        feature is { Kind: TfFeature.FeatureKind.Bytes, Bytes.Count: > 0 } ? Utf8(data, feature.Bytes[0].Offset, feature.Bytes[0].Length) : null;
}

/// <summary>A record that is not a well-formed protocol buffer. Like Google.Protobuf's
/// <see cref="InvalidProtocolBufferException"/> (which the parser also lets through) it is an
/// <see cref="IOException"/>.</summary>
public sealed class TfExampleException(string message) : IOException(message);
