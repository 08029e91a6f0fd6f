using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Dnas.Data.Images;
using Dnas.Data.Preprocess;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dnas-data-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes a file (creating its folder) and returns its path.</summary>
    public string Write(string relative, byte[] data)
    {
        var full = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, data);
        return full;
    }

    public string WriteText(string relative, string text) => Write(relative, Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Generated fixture images (with structure, not flat colour) in every format the
/// sources read, written by the independent test encoders or by cjpeg.</summary>
internal static class Fixture
{
    /// <summary>A w x h RGB image: gradients, a disc whose colour depends on the seed, and noise.</summary>
    public static byte[] Pixels(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var p = new byte[w * h * 3];
        int cx = rng.Next(w), cy = rng.Next(h), r2 = (Math.Min(w, h) / 3) * (Math.Min(w, h) / 3);
        byte dr = (byte)rng.Next(256), dg = (byte)rng.Next(256), db = (byte)rng.Next(256);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = 3 * (y * w + x);
                bool disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r2;
                int n = rng.Next(16);
                p[i] = disc ? dr : (byte)Math.Min(255, x * 255 / Math.Max(1, w - 1) / 2 + n);
                p[i + 1] = disc ? dg : (byte)Math.Min(255, y * 255 / Math.Max(1, h - 1) / 2 + n);
                p[i + 2] = disc ? db : (byte)((x + y + seed * 37) & 255);
            }
        return p;
    }

    private static int[] Samples(byte[] rgb) => rgb.Select(b => (int)b).ToArray();

    public static byte[] Png(int w, int h, int seed) => TestPng.Encode(w, h, 2, 8, Samples(Pixels(w, h, seed)));
    public static byte[] Bmp(int w, int h, int seed) => TestBmp.Encode(w, h, 24, Pixels(w, h, seed));
    public static byte[] Ppm(int w, int h, int seed) => TestPnm.Encode(6, w, h, 255, Samples(Pixels(w, h, seed)));

    /// <summary>A gray P5 image.</summary>
    public static byte[] Pgm(int w, int h, int seed)
    {
        var rgb = Pixels(w, h, seed);
        var gray = new int[w * h];
        for (int i = 0; i < gray.Length; i++) gray[i] = rgb[3 * i + 1];
        return TestPnm.Encode(5, w, h, 255, gray);
    }

    /// <summary>A JPEG made by cjpeg (libjpeg-turbo-progs) from a generated PPM.</summary>
    public static byte[] Jpeg(int w, int h, int seed, int quality = 90)
    {
        var ppm = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dnas-fixture-{Guid.NewGuid():N}.ppm");
        File.WriteAllBytes(ppm, Ppm(w, h, seed));
        try
        {
            return DecoderTools.Run("cjpeg", "libjpeg-turbo-progs", "-quality", quality.ToString(System.Globalization.CultureInfo.InvariantCulture), ppm);
        }
        finally
        {
            File.Delete(ppm);
        }
    }

    /// <summary>What the store must hold for an image: decode with the JPEG size hint, centre
    /// crop, area resize to r x r RGB.</summary>
    public static byte[] Expected(byte[] encoded, int r)
    {
        var image = ImageDecoder.Decode(encoded, "expected", r);
        return Expected(image, r);
    }

    public static byte[] Expected(RgbImage image, int r)
    {
        var spec = PreprocessSpec.Square(r, ColorMode.Rgb);
        var output = new byte[r * r * 3];
        new Resizer().Run(image.Pixels, image.Width, image.Height, 3, spec.WindowFor(image.Width, image.Height), output, r, r, 3, ResizeMethod.Area);
        return output;
    }
}

/// <summary>CRC-32C computed bit by bit (independent of the library's table and instruction paths).</summary>
internal static class TestCrc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78 : c >> 1;
        }
        return ~c;
    }

    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}

/// <summary>Writes TFRecord files and tf.train.Example messages by hand (protobuf wire format).</summary>
internal static class TestTfRecord
{
    public static byte[] Frame(byte[] data)
    {
        var f = new byte[12 + data.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(f, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(8), TestCrc32C.Masked(f.AsSpan(0, 8)));
        data.CopyTo(f, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(12 + data.Length), TestCrc32C.Masked(data));
        return f;
    }

    public static byte[] File(params byte[][] records) => records.SelectMany(Frame).ToArray();

    private static void Varint(List<byte> o, ulong v)
    {
        while (v >= 0x80) { o.Add((byte)(v | 0x80)); v >>= 7; }
        o.Add((byte)v);
    }

    private static void Tag(List<byte> o, int field, int wire) => Varint(o, (ulong)((field << 3) | wire));

    private static void Bytes(List<byte> o, int field, byte[] payload)
    {
        Tag(o, field, 2);
        Varint(o, (ulong)payload.Length);
        o.AddRange(payload);
    }

    /// <summary>A Feature holding a BytesList.</summary>
    public static byte[] BytesFeature(params byte[][] values)
    {
        var list = new List<byte>();
        foreach (var v in values) Bytes(list, 1, v);
        var feature = new List<byte>();
        Bytes(feature, 1, list.ToArray());
        return feature.ToArray();
    }

    /// <summary>A Feature holding an Int64List, packed (as TensorFlow writes) or not.</summary>
    public static byte[] Int64Feature(bool packed, params long[] values)
    {
        var list = new List<byte>();
        if (packed)
        {
            var body = new List<byte>();
            foreach (var v in values) Varint(body, (ulong)v);
            Bytes(list, 1, body.ToArray());
        }
        else
        {
            foreach (var v in values) { Tag(list, 1, 0); Varint(list, (ulong)v); }
        }
        var feature = new List<byte>();
        Bytes(feature, 3, list.ToArray());
        return feature.ToArray();
    }

    /// <summary>A Feature holding a packed FloatList.</summary>
    public static byte[] FloatFeature(params float[] values)
    {
        var body = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(body.AsSpan(4 * i), values[i]);
        var list = new List<byte>();
        Bytes(list, 1, body);
        var feature = new List<byte>();
        Bytes(feature, 2, list.ToArray());
        return feature.ToArray();
    }

    /// <summary>An Example with the given (name, Feature bytes) map entries; an unknown field
    /// (number 7, varint) is added before the features to check that it is skipped.</summary>
    public static byte[] Example(params (string Name, byte[] Feature)[] features)
    {
        var map = new List<byte>();
        foreach (var (name, feature) in features)
        {
            var entry = new List<byte>();
            Bytes(entry, 1, Encoding.UTF8.GetBytes(name));
            Bytes(entry, 2, feature);
            Bytes(map, 1, entry.ToArray());
        }
        var example = new List<byte>();
        Tag(example, 7, 0);
        Varint(example, 12345);
        Bytes(example, 1, map.ToArray());
        return example.ToArray();
    }

    /// <summary>A Wake Vision example: image, person, filename and an ignored float feature.</summary>
    public static byte[] WakeVision(byte[] jpeg, long person, string filename) => Example(
        ("filename", BytesFeature(Encoding.UTF8.GetBytes(filename))),
        ("depiction", FloatFeature(0.5f)),
        ("image", BytesFeature(jpeg)),
        ("person", Int64Feature(true, person)));
}

/// <summary>Writes IDX files (big-endian header, unsigned bytes), optionally gzipped.</summary>
internal static class TestIdx
{
    public static byte[] File(int[] dims, byte[] data, bool gzip = false)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        if (!gzip) return bytes;
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Fastest)) z.Write(bytes);
        return ms.ToArray();
    }

    /// <summary>Writes prefix-images-idx3-ubyte and prefix-labels-idx1-ubyte (n images of h x w).</summary>
    public static byte[] WriteSplit(TempDir dir, string folder, string prefix, int n, int h, int w, byte[] labels, bool gzip, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[n * h * w];
        rng.NextBytes(pixels);
        string gz = gzip ? ".gz" : "";
        dir.Write($"{folder}/{prefix}-images-idx3-ubyte{gz}", File([n, h, w], pixels, gzip));
        dir.Write($"{folder}/{prefix}-labels-idx1-ubyte{gz}", File([n], labels, gzip));
        return pixels;
    }
}

internal static class DataAssert
{
    /// <summary>Fails with the first differing byte's position.</summary>
    public static void Bytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} bytes, expected {expected.Length}");
        if (expected.SequenceEqual(actual)) return;
        int first = 0, diff = 0;
        for (int i = expected.Length - 1; i >= 0; i--)
            if (expected[i] != actual[i]) { diff++; first = i; }
        Assert.Fail($"{what}: {diff} bytes differ, first at {first} (expected {expected[first]}, got {actual[first]})");
    }
}
