using System.Buffers.Binary;
using System.Text;
using Dnas.Data.Images;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>The managed decoders on fixtures written by the test itself (DecoderTestSupport.cs), with
/// pixels known exactly, and every kind of broken input: only <see cref="ImageDecodeException"/>
/// may come out. Cross-checks against Debian tools are in DecoderToolTests, real photos in
/// DecoderSharedAssetsTests.</summary>
public sealed class DecoderTests : IDisposable
{
    private readonly TempDir _temp = new();
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    private static RgbImage Decode(byte[] data, string name = "test", ImageBackground bg = ImageBackground.Black) =>
        ImageDecoder.Decode(data, name, 0, bg);

    /// <summary>Decoding must either succeed or throw ImageDecodeException naming the source.</summary>
    private static void DecodeOrDecodeError(byte[] data, string name)
    {
        try
        {
            ImageDecoder.Decode(data, name);
        }
        catch (ImageDecodeException ex)
        {
            Assert.StartsWith(name + ": ", ex.Message);
        }
    }

    private static ImageDecodeException DecodeError(byte[] data, string name = "bad")
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data, name));
        Assert.StartsWith(name + ": ", ex.Message);
        return ex;
    }

    // ---------------------------------------------------------------- PNG

    public static TheoryData<int, int, bool> PngFormats()
    {
        var d = new TheoryData<int, int, bool>();
        foreach (var (ct, depth) in TestPng.AllFormats)
        {
            d.Add(ct, depth, false);
            d.Add(ct, depth, true);
        }
        return d;
    }

    private static (byte[] Png, int[] Samples, byte[]? Plte) MakePng(int w, int h, int ct, int depth, bool interlace, int seed,
        Func<int, int>? filter = null)
    {
        byte[]? plte = ct == 3 ? TestPng.RandomPalette(Math.Min(1 << depth, 200), seed) : null;
        var samples = TestPng.RandomSamples(w, h, ct, depth, seed, plte == null ? 0 : plte.Length / 3);
        return (TestPng.Encode(w, h, ct, depth, samples, interlace, plte, filterForRow: filter), samples, plte);
    }

    [Theory]
    [MemberData(nameof(PngFormats))]
    public void PngEveryColourTypeAndDepth(int ct, int depth, bool interlace)
    {
        const int w = 13, h = 11;
        var (png, samples, plte) = MakePng(w, h, ct, depth, interlace, seed: ct * 100 + depth);
        foreach (var bg in (ImageBackground[])[ImageBackground.Black, ImageBackground.White])
        {
            var expected = TestPng.Expected(w, h, ct, depth, samples, plte, null, bg == ImageBackground.White ? 255 : 0);
            PixelAssert.Equal(w, h, expected, Decode(png, bg: bg), $"PNG ct{ct} {depth}-bit interlace={interlace} bg={bg}");
        }
    }

    [Theory]
    [InlineData(1, 1)] [InlineData(2, 1)] [InlineData(1, 9)] [InlineData(3, 2)] [InlineData(5, 5)]
    [InlineData(8, 8)] [InlineData(9, 9)] [InlineData(17, 3)] [InlineData(4, 17)]
    public void PngAdam7SmallSizesWithEmptyPasses(int w, int h)
    {
        foreach (var (ct, depth) in ((int, int)[])[(6, 8), (0, 1), (3, 4), (2, 16)])
        {
            var (png, samples, plte) = MakePng(w, h, ct, depth, interlace: true, seed: w * 31 + h);
            PixelAssert.Equal(w, h, TestPng.Expected(w, h, ct, depth, samples, plte, null, 0), Decode(png), $"{w}x{h} ct{ct}/{depth}");
        }
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void PngEachFilterOnItsOwn(int filter)
    {
        foreach (var (ct, depth) in ((int, int)[])[(0, 1), (0, 8), (2, 8), (4, 8), (6, 16), (3, 2)])
        foreach (bool interlace in (bool[])[false, true])
        {
            var (png, samples, plte) = MakePng(19, 7, ct, depth, interlace, seed: filter + 7 * ct, _ => filter);
            PixelAssert.Equal(19, 7, TestPng.Expected(19, 7, ct, depth, samples, plte, null, 0), Decode(png),
                $"filter {filter} ct{ct}/{depth} interlace={interlace}");
        }
    }

    [Theory]
    [InlineData(0, 1)] [InlineData(0, 2)] [InlineData(0, 4)] [InlineData(0, 8)] [InlineData(0, 16)]
    [InlineData(2, 8)] [InlineData(2, 16)] [InlineData(3, 1)] [InlineData(3, 4)] [InlineData(3, 8)]
    public void PngTransparencyChunk(int ct, int depth)
    {
        const int w = 12, h = 9;
        var rng = new Random(ct * 17 + depth);
        byte[]? plte = ct == 3 ? TestPng.RandomPalette(Math.Min(1 << depth, 100), depth) : null;
        var samples = TestPng.RandomSamples(w, h, ct, depth, ct + depth, plte == null ? 0 : plte.Length / 3);
        byte[] trns;
        if (ct == 3)
        {
            trns = new byte[Math.Max(1, plte!.Length / 3 - 1)]; // one entry short of the palette: the last stays opaque
            rng.NextBytes(trns);
        }
        else
        {
            int ch = TestPng.Channels(ct);
            var key = samples.AsSpan(5 * ch, ch).ToArray();
            for (int p = 0; p < w * h; p += 3) key.CopyTo(samples.AsSpan(p * ch)); // a third of the pixels are the key
            trns = new byte[2 * ch];
            for (int c = 0; c < ch; c++) BinaryPrimitives.WriteUInt16BigEndian(trns.AsSpan(2 * c), (ushort)key[c]);
        }
        var png = TestPng.Encode(w, h, ct, depth, samples, interlace: depth == 8, plte, trns);
        foreach (int bg in (int[])[0, 255])
        {
            var expected = TestPng.Expected(w, h, ct, depth, samples, plte, trns, bg);
            PixelAssert.Equal(w, h, expected, Decode(png, bg: bg == 0 ? ImageBackground.Black : ImageBackground.White), $"tRNS ct{ct}/{depth} bg {bg}");
        }
    }

    [Fact]
    public void PngSplitIdatAndAncillaryChunks()
    {
        const int w = 21, h = 6;
        var samples = TestPng.RandomSamples(w, h, 2, 8, 5);
        var text = Encoding.ASCII.GetBytes("Comment\0written by the test");
        foreach (int split in (int[])[1, 7, 100])
        {
            var png = TestPng.Encode(w, h, 2, 8, samples, interlace: split == 7, idatChunk: split,
                extraBeforeIdat: [("gAMA", [0, 0, 0xB1, 0x8F]), ("tEXt", text)], extraAfterIdat: [("tEXt", text), ("zzZz", [1, 2, 3])]);
            PixelAssert.Equal(w, h, TestPng.Expected(w, h, 2, 8, samples, null, null, 0), Decode(png), $"IDAT split {split}");
        }
    }

    [Fact]
    public void PngPaletteIndexBeyondPaletteIsBlack()
    {
        var plte = new byte[] { 10, 20, 30, 40, 50, 60, 70, 80, 90 };
        int[] samples = [0, 1, 2, 3, 3, 2, 1, 0];
        var png = TestPng.Encode(4, 2, 3, 2, samples, false, plte);
        PixelAssert.Equal(4, 2, TestPng.Expected(4, 2, 3, 2, samples, plte, null, 0), Decode(png), "palette overflow");
        Assert.Equal([0, 0, 0], Decode(png).Pixels.AsSpan(9, 3).ToArray());
    }

    [Fact]
    public void PngStructuralErrors()
    {
        var samples = TestPng.RandomSamples(4, 4, 2, 8, 1);
        Assert.Contains("unsupported critical chunk ABCD",
            DecodeError(TestPng.Encode(4, 4, 2, 8, samples, extraBeforeIdat: [("ABCD", [1])])).Message);
        Assert.Contains("no PLTE", DecodeError(TestPng.Encode(4, 4, 3, 8, new int[16])).Message);

        // IDAT, then a tEXt, then IDAT again.
        var png = TestPng.Encode(4, 4, 2, 8, samples, idatChunk: 10);
        var chunks = TestPng.Chunks(png);
        int second = chunks.Where(c => c.Type == "IDAT").Skip(1).First().Offset;
        using var ms = new MemoryStream();
        ms.Write(png, 0, second);
        TestPng.WriteChunk(ms, "tEXt", Encoding.ASCII.GetBytes("a\0b"));
        ms.Write(png, second, png.Length - second);
        Assert.Contains("consecutive", DecodeError(ms.ToArray()).Message);

        // Invalid filter type byte: store the raw data uncompressed with filter 9.
        var raw = new byte[4 * 13];
        raw[0] = 9;
        Assert.Contains("invalid filter type 9", DecodeError(WithIdat(TestPng.Encode(4, 4, 2, 8, samples), TestPng.Zlib(raw))).Message);

        // Bad IHDR fields.
        var bad = TestPng.Encode(4, 4, 2, 8, samples);
        bad[8 + 8 + 8] = 5; // bit depth 5
        TestPng.FixCrc(bad, 8);
        Assert.Contains("invalid bit depth 5", DecodeError(bad).Message);
    }

    /// <summary>Replaces a PNG's image data by <paramref name="idat"/> in a single IDAT chunk.</summary>
    private static byte[] WithIdat(byte[] png, byte[] idat)
    {
        var chunks = TestPng.Chunks(png);
        int first = chunks.First(c => c.Type == "IDAT").Offset;
        var iend = chunks.First(c => c.Type == "IEND");
        using var ms = new MemoryStream();
        ms.Write(png, 0, first);
        TestPng.WriteChunk(ms, "IDAT", idat);
        ms.Write(png, iend.Offset, png.Length - iend.Offset);
        return ms.ToArray();
    }

    [Fact]
    public void PngTruncatedAtEveryCutPoint()
    {
        foreach (var (ct, depth, interlace) in ((int, int, bool)[])[(2, 8, true), (3, 4, false), (6, 16, false), (0, 1, true)])
        {
            var (png, _, _) = MakePng(9, 7, ct, depth, interlace, seed: 3);
            for (int cut = 0; cut < png.Length; cut++) DecodeError(png[..cut], $"cut{cut}.png");
        }
        var (p, _, _) = MakePng(40, 30, 2, 8, false, seed: 4);
        int idat = TestPng.Chunks(p).First(c => c.Type == "IDAT").Offset;
        Assert.Contains("truncated IDAT", DecodeError(p[..(idat + 20)]).Message);
    }

    [Fact]
    public void PngBadCrcInEveryChunk()
    {
        var (png, _, _) = MakePng(8, 8, 3, 8, false, seed: 9);
        foreach (var (offset, type, length) in TestPng.Chunks(png))
        {
            var bad = (byte[])png.Clone();
            bad[offset + 8 + (length > 0 ? length / 2 : 0)] ^= 0x10; // a data byte, or the CRC itself for IEND
            var ex = DecodeError(bad);
            Assert.Contains($"corrupt {type} chunk", ex.Message);
            Assert.Contains("CRC mismatch", ex.Message);
            Assert.Equal(ImageFormat.Png, ex.Format);
        }
    }

    [Fact]
    public void PngBadZlibData()
    {
        var (png, _, _) = MakePng(16, 16, 2, 8, false, seed: 2);
        var z = png.AsSpan(TestPng.Chunks(png).First(c => c.Type == "IDAT").Offset + 8,
            TestPng.Chunks(png).First(c => c.Type == "IDAT").Length).ToArray();

        var badHeader = (byte[])z.Clone();
        badHeader[1] ^= 0x01; // header check bits no longer divisible by 31
        Assert.Contains("bad zlib data", DecodeError(WithIdat(png, badHeader)).Message);

        var badAdler = (byte[])z.Clone();
        badAdler[^1] ^= 0xFF;
        Assert.Contains("bad zlib data", DecodeError(WithIdat(png, badAdler)).Message);

        var garbage = (byte[])z.Clone();
        for (int i = 2; i < garbage.Length - 4; i++) garbage[i] = 0xFF;
        var msg = DecodeError(WithIdat(png, garbage)).Message;
        Assert.True(msg.Contains("bad zlib data") || msg.Contains("truncated IDAT"), msg);

        Assert.Contains("truncated IDAT", DecodeError(WithIdat(png, z[..(z.Length / 2)])).Message);
    }

    [Fact]
    public void PngAbsurdDimensions()
    {
        var samples = TestPng.RandomSamples(2, 2, 6, 8, 1);
        foreach (var (w, h, what) in ((uint, uint, string)[])
                 [(32768, 32768, "exceed the limit"), (40000, 1, "exceed the limit"), (0x7FFFFFFF, 0x7FFFFFFF, "exceed the limit"),
                  (0, 5, "invalid dimensions"), (0x80000000, 1, "exceed the limit"), (20000, 10000, "truncated IDAT")])
        {
            var png = TestPng.Encode(2, 2, 6, 8, samples);
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), w);
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), h);
            TestPng.FixCrc(png, 8);
            Assert.Contains(what, DecodeError(png).Message);
        }
    }

    [Fact]
    public void PngRandomCorruptionOnlyRaisesDecodeErrors()
    {
        var rng = new Random(12345);
        foreach (var (ct, depth, interlace) in ((int, int, bool)[])[(2, 8, true), (3, 2, false), (4, 16, true)])
        {
            var (png, _, _) = MakePng(11, 10, ct, depth, interlace, seed: 8);
            for (int iter = 0; iter < 150; iter++)
            {
                var bad = (byte[])png.Clone();
                int flips = 1 + rng.Next(4);
                for (int f = 0; f < flips; f++) bad[8 + rng.Next(bad.Length - 8)] = (byte)rng.Next(256);
                // Fix all CRCs so the corruption reaches the header and zlib parsing, not just the CRC check.
                foreach (var c in TestPng.Chunks(bad))
                    TestPng.FixCrc(bad, c.Offset);
                DecodeOrDecodeError(bad, $"fuzz{iter}.png");
            }
        }
    }

    // ---------------------------------------------------------------- BMP

    public static TheoryData<int, int, bool> BmpVariants()
    {
        var d = new TheoryData<int, int, bool>();
        foreach (int bpp in (int[])[1, 4, 8, 24, 32])
        foreach (int header in (int[])[12, 40, 108, 124])
        foreach (bool topDown in (bool[])[false, true])
        {
            if (header == 12 && (topDown || bpp == 32)) continue; // OS/2 1.x: bottom-up, no 32-bit
            d.Add(bpp, header, topDown);
        }
        return d;
    }

    private static (byte[] Bmp, byte[] Rgb) MakeBmp(int w, int h, int bpp, int header, bool topDown, int seed,
        uint compression = 0, uint[]? masks = null, int colorsUsed = 0, bool padLastRow = true)
    {
        var rng = new Random(seed);
        var rgb = new byte[w * h * 3];
        int[]? indices = null;
        byte[]? palette = null;
        if (bpp <= 8)
        {
            int n = colorsUsed > 0 ? colorsUsed : 1 << bpp;
            palette = TestPng.RandomPalette(n, seed);
            indices = new int[w * h];
            for (int i = 0; i < indices.Length; i++)
            {
                indices[i] = rng.Next(n);
                palette.AsSpan(indices[i] * 3, 3).CopyTo(rgb.AsSpan(i * 3));
            }
        }
        else rng.NextBytes(rgb);
        return (TestBmp.Encode(w, h, bpp, rgb, indices, palette, header, topDown, compression, masks, colorsUsed, padLastRow), rgb);
    }

    [Theory]
    [MemberData(nameof(BmpVariants))]
    public void BmpBitDepthsHeadersAndRowOrder(int bpp, int header, bool topDown)
    {
        foreach (int w in (int[])[13, 1, 32])
        {
            var (bmp, rgb) = MakeBmp(w, 7, bpp, header, topDown, seed: bpp * 10 + w);
            PixelAssert.Equal(w, 7, rgb, Decode(bmp), $"BMP {bpp}-bit header {header} topDown={topDown} width {w}");
        }
    }

    [Fact]
    public void BmpBitfieldsPaletteSizesAndPadding()
    {
        uint[] std = [0x00FF0000, 0x0000FF00, 0x000000FF];
        uint[] stdAlpha = [0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000];
        foreach (var (header, masks) in ((int, uint[])[])[(40, std), (108, stdAlpha), (124, stdAlpha), (56, stdAlpha)])
        {
            var (bmp, rgb) = MakeBmp(11, 5, 32, header, topDown: header == 124, seed: header, compression: 3, masks: masks);
            PixelAssert.Equal(11, 5, rgb, Decode(bmp), $"BI_BITFIELDS header {header}");
        }
        var (few, fewRgb) = MakeBmp(10, 6, 8, 40, false, seed: 4, colorsUsed: 10);
        PixelAssert.Equal(10, 6, fewRgb, Decode(few), "8-bit with 10 palette entries");
        var (noPad, noPadRgb) = MakeBmp(5, 4, 24, 40, false, seed: 5, padLastRow: false);
        PixelAssert.Equal(5, 4, noPadRgb, Decode(noPad), "last row without padding");
    }

    [Fact]
    public void BmpUnsupportedVariantsAreNamed()
    {
        var (odd, _) = MakeBmp(4, 4, 32, 40, false, 1, compression: 3, masks: [0x000000FF, 0x0000FF00, 0x00FF0000]);
        Assert.Contains("unsupported BMP compression 3", DecodeError(odd).Message);
        var (rle, _) = MakeBmp(4, 4, 8, 40, false, 1, compression: 1);
        Assert.Contains("unsupported BMP compression 1 (RLE8)", DecodeError(rle).Message);
        var (b16, _) = MakeBmp(4, 4, 24, 40, false, 1);
        b16[28] = 16;
        Assert.Contains("unsupported BMP bit depth 16", DecodeError(b16).Message);
        var (hdr, _) = MakeBmp(4, 4, 24, 40, false, 1);
        hdr[14] = 64;
        Assert.Contains("unsupported BMP header size 64", DecodeError(hdr).Message);
    }

    [Fact]
    public void BmpTruncatedAtEveryCutPoint()
    {
        foreach (int bpp in (int[])[1, 8, 24, 32])
        {
            var (bmp, _) = MakeBmp(7, 5, bpp, 40, false, seed: 3);
            int stride = (7 * bpp + 31) / 32 * 4, lastRow = (7 * bpp + 7) / 8;
            for (int cut = 0; cut < bmp.Length; cut++)
            {
                if (cut >= bmp.Length - (stride - lastRow)) ImageDecoder.Decode(bmp.AsSpan(0, cut), "cut"); // only padding missing
                else DecodeError(bmp[..cut], $"cut{cut}.bmp");
            }
        }
    }

    [Fact]
    public void BmpAbsurdDimensionsAndRandomCorruption()
    {
        var (bmp, _) = MakeBmp(4, 4, 24, 40, false, 1);
        foreach (var (w, h, what) in ((int, int, string)[])
                 [(1_000_000_000, 1, "exceed the limit"), (30000, 8000, "truncated pixel data"), (4, int.MinValue, "exceed the limit"),
                  (-4, 4, "invalid dimensions"), (0, 4, "invalid dimensions"), (20000, -20000, "exceed the limit")])
        {
            var bad = (byte[])bmp.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(18), w);
            BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(22), h);
            Assert.Contains(what, DecodeError(bad).Message);
        }
        var rng = new Random(77);
        var (pal, _) = MakeBmp(9, 6, 4, 40, false, 2);
        foreach (var src in (byte[][])[bmp, pal])
            for (int iter = 0; iter < 300; iter++)
            {
                var bad = (byte[])src.Clone();
                for (int f = 0; f < 3; f++) bad[2 + rng.Next(Math.Min(60, bad.Length - 2))] = (byte)rng.Next(256);
                DecodeOrDecodeError(bad, $"fuzz{iter}.bmp");
            }
    }

    // ---------------------------------------------------------------- PNM

    [Theory]
    [InlineData(1, 1)] [InlineData(4, 1)]
    [InlineData(2, 1)] [InlineData(2, 15)] [InlineData(2, 255)] [InlineData(2, 1000)] [InlineData(2, 65535)]
    [InlineData(5, 1)] [InlineData(5, 15)] [InlineData(5, 255)] [InlineData(5, 256)] [InlineData(5, 65535)]
    [InlineData(3, 7)] [InlineData(3, 255)] [InlineData(3, 65535)]
    [InlineData(6, 3)] [InlineData(6, 255)] [InlineData(6, 300)] [InlineData(6, 65535)]
    public void PnmVariants(int kind, int maxval)
    {
        const int w = 11, h = 5;
        int ch = kind is 3 or 6 ? 3 : 1;
        var rng = new Random(kind * 1000 + maxval);
        var samples = new int[w * h * ch];
        for (int i = 0; i < samples.Length; i++) samples[i] = rng.Next(maxval + 1);
        samples[0] = maxval;
        var expected = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++)
        for (int c = 0; c < 3; c++)
        {
            int v = samples[p * ch + (ch == 3 ? c : 0)];
            expected[p * 3 + c] = kind is 1 or 4 ? (byte)(v == 1 ? 0 : 255) : (byte)((v * 255 + maxval / 2) / maxval);
        }
        var pnm = TestPnm.Encode(kind, w, h, maxval, samples, comment: "made by DecoderTests");
        PixelAssert.Equal(w, h, expected, Decode(pnm), $"P{kind} maxval {maxval}");
    }

    [Fact]
    public void PnmHeaderCommentsAndErrors()
    {
        var img = Decode(Encoding.ASCII.GetBytes("P3 #c1\n# c2\n2#c3\n 1 # c4\n255\n1 2 3 # pixel 1\n 250 251\n252"));
        Assert.Equal([1, 2, 3, 250, 251, 252], img.Pixels);
        var raw = Decode([.. Encoding.ASCII.GetBytes("P6\n# x\n1 1\n255\r"), 9, 8, 7]);
        Assert.Equal([9, 8, 7], raw.Pixels);
        Assert.Equal([0, 255, 0, 255], Decode(Encoding.ASCII.GetBytes("P1\n2 1\n10")).Pixels.Where((_, i) => i % 3 == 0).Concat(
            Decode(Encoding.ASCII.GetBytes("P1 2 1 1 0")).Pixels.Where((_, i) => i % 3 == 0)).ToArray());

        Assert.Contains("exceeds maxval", DecodeError(Encoding.ASCII.GetBytes("P2 2 1 100 50 101")).Message);
        Assert.Contains("exceeds maxval", DecodeError([.. Encoding.ASCII.GetBytes("P5 2 1 100\n"), 50, 101]).Message);
        Assert.Contains("maxval 0 is outside", DecodeError(Encoding.ASCII.GetBytes("P2 2 1 0 0 0")).Message);
        Assert.Contains("maxval 70000 is outside", DecodeError(Encoding.ASCII.GetBytes("P2 2 1 70000 0 0")).Message);
        Assert.Contains("bad header", DecodeError(Encoding.ASCII.GetBytes("P6 x 1 255\n")).Message);
        Assert.Contains("invalid character", DecodeError(Encoding.ASCII.GetBytes("P2 2 1 255 1 x")).Message);
        Assert.Contains("exceed the limit", DecodeError(Encoding.ASCII.GetBytes("P6\n30000 30000\n255\n")).Message);
        Assert.Contains("width is too large", DecodeError(Encoding.ASCII.GetBytes("P6\n99999999999 1\n255\n")).Message);
        Assert.Contains("truncated raster", DecodeError(Encoding.ASCII.GetBytes("P5\n20000 10000\n255\nabc")).Message);
        Assert.Contains("truncated raster", DecodeError(Encoding.ASCII.GetBytes("P3\n20000 10000\n255\n1 2 3")).Message);
    }

    [Fact]
    public void PnmTruncatedAtEveryCutPoint()
    {
        var rng = new Random(6);
        foreach (var (kind, maxval) in ((int, int)[])[(1, 1), (2, 255), (3, 1000), (4, 1), (5, 65535), (6, 255)])
        {
            int ch = kind is 3 or 6 ? 3 : 1;
            var samples = Enumerable.Range(0, 6 * 4 * ch).Select(_ => rng.Next(maxval + 1)).ToArray();
            var pnm = TestPnm.Encode(kind, 6, 4, maxval, samples);
            for (int cut = 0; cut < pnm.Length; cut++) DecodeOrDecodeError(pnm[..cut], $"cut{cut}.pnm");
            if (kind >= 4) for (int cut = 0; cut < pnm.Length; cut++) DecodeError(pnm[..cut], $"cut{cut}.pnm");
        }
    }

    // ---------------------------------------------------------------- dispatch, files, JPEG plumbing

    [Fact]
    public void UnknownDataIsNamed()
    {
        var ex = DecodeError(Encoding.ASCII.GetBytes("Hello, world"), "notes.txt");
        Assert.Equal("notes.txt: not an image: unknown magic 0x48656C6C6F2C2077 (expected PNG, JPEG, BMP or PBM/PGM/PPM)", ex.Message);
        Assert.Equal(ImageFormat.Unknown, ex.Format);
        Assert.Contains("empty data", DecodeError([], "empty.png").Message);
        Assert.Contains("unknown magic 0x50", DecodeError("P"u8.ToArray()).Message);
        Assert.Contains("unknown magic 0x89504E47", DecodeError([0x89, 0x50, 0x4E, 0x47]).Message);
        Assert.Equal(ImageFormat.Jpeg, ImageDecoder.DetectFormat([0xFF, 0xD8, 0xFF, 0xE0]));
        Assert.Equal(ImageFormat.Pnm, ImageDecoder.DetectFormat("P5\n"u8));
        Assert.Equal(ImageFormat.Unknown, ImageDecoder.DetectFormat("P7\n"u8));
    }

    [Fact]
    public void DecodeFileNamesThePath()
    {
        var (png, samples, _) = MakePng(5, 4, 2, 8, false, seed: 1);
        var good = Path.Combine(_dir, "good.png");
        File.WriteAllBytes(good, png);
        PixelAssert.Equal(5, 4, TestPng.Expected(5, 4, 2, 8, samples, null, null, 0), ImageDecoder.DecodeFile(good), "file");

        var bad = Path.Combine(_dir, "bad.png");
        File.WriteAllBytes(bad, png[..40]);
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(bad));
        Assert.StartsWith(bad + ": PNG: truncated", ex.Message);
        Assert.Equal(bad, ex.SourceName);
        Assert.Throws<FileNotFoundException>(() => ImageDecoder.DecodeFile(Path.Combine(_dir, "missing.png")));
    }

    [Fact]
    public void MissingTurboJpegGivesOneClearMessage()
    {
        Assert.Equal("JPEG decoding needs libjpeg-turbo's TurboJPEG library: apt-get install libturbojpeg0",
            JpegDecoder.ProbeLibrary("libturbojpeg-that-does-not-exist.so.0"));
    }

    [Fact]
    public void MissingToolFailsNamingThePackage()
    {
        var ex = Assert.ThrowsAny<Exception>(() => DecoderTools.Require("dnas-no-such-tool", "some-package"));
        Assert.Contains("dnas-no-such-tool is not installed: install the Debian package some-package", ex.Message);
    }

    [Fact]
    public void JpegScaleChoice()
    {
        TurboJpeg.ScalingFactor F(int n, int d) => new() { Num = n, Denom = d };
        TurboJpeg.ScalingFactor[] factors = [F(2, 1), F(15, 8), F(1, 1), F(7, 8), F(3, 4), F(5, 8), F(1, 2), F(3, 8), F(1, 4), F(1, 8)];
        Assert.Equal("1/1", JpegDecoder.ChooseScale(2592, 1944, 0, factors).ToString());
        Assert.Equal("1/8", JpegDecoder.ChooseScale(2592, 1944, 224, factors).ToString()); // 1944/8 = 243
        Assert.Equal("1/4", JpegDecoder.ChooseScale(2592, 1944, 244, factors).ToString()); // 486
        Assert.Equal("3/8", JpegDecoder.ChooseScale(800, 600, 224, factors).ToString());  // 225; 1/4 gives 150
        Assert.Equal("1/2", JpegDecoder.ChooseScale(800, 600, 226, factors).ToString());  // 300
        Assert.Equal("1/1", JpegDecoder.ChooseScale(100, 80, 224, factors).ToString());   // never upscale
        Assert.Equal("1/8", JpegDecoder.ChooseScale(17, 17, 3, factors).ToString());      // ceil(17/8) = 3
    }

    [Fact]
    public void JpegGarbageIsADecodeError()
    {
        var ex = DecodeError([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
        Assert.Equal(ImageFormat.Jpeg, ex.Format);
    }
}
