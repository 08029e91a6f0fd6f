using System.Buffers.Binary;
using System.Globalization;
using Dnas.Data.Images;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>Cross-checks against independent encoders and decoders from Debian, on fixtures made at
/// test time: netpbm's pnmtopng and ppmtobmp write files from known pixels; libjpeg-turbo's cjpeg
/// writes JPEGs that djpeg (same library, so pixel-exact) decodes for reference; Pillow decodes the
/// test's own PNG and BMP writers' output. A missing tool fails the test naming the package
/// (scripts/setup.sh test installs them all).</summary>
public sealed class DecoderToolTests : IDisposable
{
    private readonly TempDir _temp = new();
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte To8(int v, int maxval) => maxval == 65535 ? (byte)(v >> 8) : (byte)((v * 255 + maxval / 2) / maxval);

    /// <summary>A PNM fixture with its samples, and the RGB the PNG path should produce.</summary>
    private sealed record Pnm(int Kind, int W, int H, int Maxval, int[] Samples)
    {
        public int Channels => Kind == 6 ? 3 : 1;
        public byte[] Bytes => TestPnm.Encode(Kind, W, H, Maxval, Samples);

        public byte[] Rgb(Func<int, int, byte> to8)
        {
            var rgb = new byte[W * H * 3];
            for (int p = 0; p < W * H; p++)
                for (int c = 0; c < 3; c++) rgb[p * 3 + c] = to8(Samples[p * Channels + (Channels == 3 ? c : 0)], Maxval);
            return rgb;
        }
    }

    private static Pnm MakePnm(string kind, int seed)
    {
        var rng = new Random(seed);
        int[] Random(int n, int max) => Enumerable.Range(0, n).Select(_ => rng.Next(max + 1)).ToArray();
        switch (kind)
        {
            case "ppm-many": return new Pnm(6, 37, 23, 255, Random(37 * 23 * 3, 255));
            case "ppm-few":
            {
                int[][] colors = [[0, 0, 0], [255, 255, 255], [200, 10, 30], [5, 120, 250], [64, 64, 64], [1, 2, 3]];
                var s = new int[29 * 17 * 3];
                for (int p = 0; p < 29 * 17; p++) colors[rng.Next(colors.Length)].CopyTo(s, p * 3);
                return new Pnm(6, 29, 17, 255, s);
            }
            case "pgm8": return new Pnm(5, 31, 19, 255, Random(31 * 19, 255));
            case "pgm1": return new Pnm(5, 21, 9, 1, Random(21 * 9, 1));
            case "pgm2": return new Pnm(5, 21, 9, 3, Random(21 * 9, 3));
            case "pgm4": return new Pnm(5, 21, 9, 15, Random(21 * 9, 15));
            case "pgm16": return new Pnm(5, 17, 13, 65535, Random(17 * 13, 65535));
            case "ppm16": return new Pnm(6, 17, 13, 65535, Random(17 * 13 * 3, 65535));
            default: throw new ArgumentException(kind);
        }
    }

    public static TheoryData<string, string> PnmToPngCases()
    {
        var d = new TheoryData<string, string>();
        foreach (var kind in (string[])["ppm-many", "ppm-few", "pgm8", "pgm1", "pgm2", "pgm4", "pgm16", "ppm16"])
        foreach (var opts in (string[])["", "-interlace", "-force", "-force -interlace"])
            d.Add(kind, opts);
        return d;
    }

    [Theory]
    [MemberData(nameof(PnmToPngCases))]
    public void PngWrittenByPnmtopng(string kind, string options)
    {
        var pnm = MakePnm(kind, kind.Length * 7 + options.Length);
        var input = Write("in.pnm", pnm.Bytes);
        var png = DecoderTools.Run("pnmtopng", "netpbm", [.. options.Split(' ', StringSplitOptions.RemoveEmptyEntries), input]);
        PixelAssert.Equal(pnm.W, pnm.H, pnm.Rgb(To8), ImageDecoder.Decode(png, "pnmtopng.png"), $"pnmtopng {options} of {kind}");
    }

    [Theory]
    [InlineData("ppm-many", "")] [InlineData("ppm-many", "-interlace")] [InlineData("ppm-few", "")] [InlineData("ppm16", "")] [InlineData("pgm8", "")]
    public void PngWithAlphaWrittenByPnmtopng(string kind, string options)
    {
        var pnm = MakePnm(kind, 5);
        var rng = new Random(11);
        var alpha = new int[pnm.W * pnm.H];
        for (int i = 0; i < alpha.Length; i++) alpha[i] = kind == "ppm-few" ? rng.Next(2) * 255 : rng.Next(256);
        alpha[0] = 0; alpha[1] = 255;
        var input = Write("in.pnm", pnm.Bytes);
        // pnmtopng takes the mask's samples as they are (not rescaled), so give it the image's maxval.
        int scale = pnm.Maxval == 65535 ? 257 : 1;
        var mask = Write("alpha.pgm", TestPnm.Encode(5, pnm.W, pnm.H, pnm.Maxval, alpha.Select(a => a * scale).ToArray()));
        var png = DecoderTools.Run("pnmtopng", "netpbm", [.. options.Split(' ', StringSplitOptions.RemoveEmptyEntries), "-alpha=" + mask, input]);
        var rgb = pnm.Rgb(To8);
        foreach (int bg in (int[])[0, 255])
        {
            var expected = new byte[rgb.Length];
            for (int i = 0; i < rgb.Length; i++) expected[i] = (byte)((rgb[i] * alpha[i / 3] + bg * (255 - alpha[i / 3]) + 127) / 255);
            var img = ImageDecoder.Decode(png, "alpha.png", 0, bg == 0 ? ImageBackground.Black : ImageBackground.White);
            PixelAssert.Equal(pnm.W, pnm.H, expected, img, $"pnmtopng -alpha {options} of {kind} on background {bg}");
        }
    }

    [Theory]
    [InlineData("ppm-few", "rgb:c8/0a/1e")] [InlineData("ppm-many", "")] [InlineData("pgm8", "")] [InlineData("pgm16", "")]
    public void PngWithTransparentColourWrittenByPnmtopng(string kind, string colour)
    {
        var pnm = MakePnm(kind, 3);
        int[] key = pnm.Samples.AsSpan(0, pnm.Channels).ToArray();
        if (colour == "")
        {
            // Use the first pixel's colour, exactly as stored (=: no "closest colour" substitution).
            colour = pnm.Maxval == 65535
                ? "rgb:" + string.Join('/', Enumerable.Range(0, 3).Select(c => key[pnm.Channels == 3 ? c : 0].ToString("x4", CultureInfo.InvariantCulture)))
                : "rgb:" + string.Join('/', Enumerable.Range(0, 3).Select(c => key[pnm.Channels == 3 ? c : 0].ToString("x2", CultureInfo.InvariantCulture)));
        }
        else key = [200, 10, 30];
        var input = Write("in.pnm", pnm.Bytes);
        var png = DecoderTools.Run("pnmtopng", "netpbm", "-transparent==" + colour, input);
        var expected = pnm.Rgb(To8);
        int keyed = 0;
        for (int p = 0; p < pnm.W * pnm.H; p++)
            if (pnm.Samples.AsSpan(p * pnm.Channels, pnm.Channels).SequenceEqual(key))
            {
                expected.AsSpan(p * 3, 3).Fill(255);
                keyed++;
            }
        Assert.True(keyed > 0);
        PixelAssert.Equal(pnm.W, pnm.H, expected, ImageDecoder.Decode(png, "trns.png", 0, ImageBackground.White), $"pnmtopng -transparent of {kind}");
    }

    [Theory]
    [InlineData(1, "")] [InlineData(4, "")] [InlineData(8, "")] [InlineData(24, "")]
    [InlineData(1, "-os2")] [InlineData(4, "-os2")] [InlineData(8, "-os2")] [InlineData(24, "-os2")]
    public void BmpWrittenByPpmtobmp(int bpp, string flavour)
    {
        const int w = 13, h = 9;
        var rng = new Random(bpp);
        int colours = bpp switch { 1 => 2, 4 => 16, 8 => 200, _ => 1 << 24 };
        var palette = Enumerable.Range(0, Math.Min(colours, 256)).Select(_ => new[] { rng.Next(256), rng.Next(256), rng.Next(256) }).ToArray();
        var samples = new int[w * h * 3];
        for (int p = 0; p < w * h; p++)
        {
            if (bpp == 24) for (int c = 0; c < 3; c++) samples[p * 3 + c] = rng.Next(256);
            else palette[rng.Next(palette.Length)].CopyTo(samples, p * 3);
        }
        var input = Write("in.ppm", TestPnm.Encode(6, w, h, 255, samples));
        string[] args = flavour == "" ? [$"-bpp={bpp}", input] : [flavour, $"-bpp={bpp}", input];
        var bmp = DecoderTools.Run("ppmtobmp", "netpbm", args);
        Assert.Equal(flavour == "-os2" ? 12 : 40, BinaryPrimitives.ReadInt32LittleEndian(bmp.AsSpan(14)));
        Assert.Equal(bpp, BinaryPrimitives.ReadUInt16LittleEndian(bmp.AsSpan(flavour == "-os2" ? 24 : 28)));
        PixelAssert.Equal(w, h, samples.Select(v => (byte)v).ToArray(), ImageDecoder.Decode(bmp, "ppmtobmp.bmp"), $"ppmtobmp -bpp={bpp} {flavour}");
    }

    /// <summary>The test's own PNG and BMP writers, decoded by Pillow: confirms both the fixtures
    /// and the conversion rules (16-bit high byte, exact low-bit scaling, palette/tRNS, and BMP
    /// layouts) against an independent decoder, and that ours agrees with it.</summary>
    [Fact]
    public void OwnFixturesAgreeWithPillow()
    {
        var files = new List<(string Path, int W, int H, Func<int, byte[]> Expected)>();
        int n = 0;
        foreach (var (ct, depth) in TestPng.AllFormats)
        foreach (bool interlace in (bool[])[false, true])
        {
            const int w = 13, h = 11;
            byte[]? plte = ct == 3 ? TestPng.RandomPalette(Math.Min(1 << depth, 200), depth) : null;
            var samples = TestPng.RandomSamples(w, h, ct, depth, ct * 10 + depth, plte == null ? 0 : plte.Length / 3);
            // tRNS where Pillow applies it the way PNG defines it: palette, and 8-bit gray/RGB keys.
            byte[]? trns = null;
            if (ct == 3) trns = Enumerable.Range(0, plte!.Length / 3 - 1).Select(i => (byte)(i * 37)).ToArray();
            if (depth == 8 && ct is 0 or 2)
            {
                int ch = TestPng.Channels(ct);
                for (int p = 0; p < w * h; p += 4) samples.AsSpan(3 * ch, ch).CopyTo(samples.AsSpan(p * ch));
                trns = samples.AsSpan(3 * ch, ch).ToArray().SelectMany(v => new[] { (byte)0, (byte)v }).ToArray();
            }
            var png = TestPng.Encode(w, h, ct, depth, samples, interlace, plte, trns);
            files.Add((Write($"{n++}.png", png), w, h, bg => TestPng.Expected(w, h, ct, depth, samples, plte, trns, bg)));
        }
        foreach (var (bpp, header, topDown) in ((int, int, bool)[])[(1, 40, false), (4, 40, true), (8, 40, false), (8, 12, false), (24, 40, true),
                     (24, 124, false), (32, 40, false), (32, 108, true)])
        {
            const int w = 11, h = 6;
            var rng = new Random(bpp + header);
            var rgb = new byte[w * h * 3];
            int[]? idx = null;
            byte[]? pal = null;
            if (bpp <= 8)
            {
                pal = TestPng.RandomPalette(1 << bpp, bpp);
                idx = Enumerable.Range(0, w * h).Select(_ => rng.Next(1 << bpp)).ToArray();
                for (int i = 0; i < idx.Length; i++) pal.AsSpan(idx[i] * 3, 3).CopyTo(rgb.AsSpan(i * 3));
            }
            else rng.NextBytes(rgb);
            uint compression = bpp == 32 && header == 108 ? 3u : 0u;
            var bmp = TestBmp.Encode(w, h, bpp, rgb, idx, pal, header, topDown, compression,
                compression == 3 ? [0x00FF0000, 0x0000FF00, 0x000000FF, 0] : null);
            files.Add((Write($"{n++}.bmp", bmp), w, h, _ => rgb));
        }

        foreach (int bg in (int[])[0, 255])
        {
            var outDir = Path.Combine(_dir, $"pil{bg}");
            Directory.CreateDirectory(outDir);
            DecoderTools.PillowToPpm(outDir, bg, files.Select(f => f.Path).ToList());
            for (int i = 0; i < files.Count; i++)
            {
                var (path, w, h, expected) = files[i];
                var (pw, ph, pil) = TestPnm.ReadReference(File.ReadAllBytes(Path.Combine(outDir, $"{i}.ppm")), path);
                var name = Path.GetFileName(path);
                Assert.True(pw == w && ph == h, $"{name}: Pillow says {pw}x{ph}");
                Assert.True(pil.AsSpan().SequenceEqual(expected(bg)), $"{name}: Pillow disagrees with the test's expected pixels (bg {bg})");
                var ours = ImageDecoder.DecodeFile(path, 0, bg == 0 ? ImageBackground.Black : ImageBackground.White);
                PixelAssert.Equal(w, h, pil, ours, $"{name} vs Pillow (bg {bg})");
            }
        }
    }

    // ---------------------------------------------------------------- JPEG

    /// <summary>A smooth image with some texture (JPEG-friendly but not trivial), odd-sized so MCUs are partial.</summary>
    private static Pnm Photo(int w, int h, bool gray, int seed)
    {
        var rng = new Random(seed);
        int ch = gray ? 1 : 3;
        var s = new int[w * h * ch];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        for (int c = 0; c < ch; c++)
        {
            double v = 128 + 90 * Math.Sin((x * (c + 1) + y * 2) * 0.11) + 30 * Math.Cos(y * 0.3 - c) + rng.Next(-12, 13);
            s[(y * w + x) * ch + c] = Math.Clamp((int)v, 0, 255);
        }
        return new Pnm(gray ? 5 : 6, w, h, 255, s);
    }

    private (string Jpeg, RgbImage Reference) CjpegAndDjpeg(Pnm source, string[] cjpegOptions, string[]? djpegOptions = null)
    {
        var input = Write("src.pnm", source.Bytes);
        var jpeg = Path.Combine(_dir, "out.jpg");
        DecoderTools.Run("cjpeg", "libjpeg-turbo-progs", [.. cjpegOptions, "-outfile", jpeg, input]);
        var (w, h, rgb) = TestPnm.ReadReference(DecoderTools.Run("djpeg", "libjpeg-turbo-progs", [.. djpegOptions ?? [], "-pnm", jpeg]), "djpeg");
        return (jpeg, new RgbImage(w, h, rgb));
    }

    [Theory]
    [InlineData(false, "")]
    [InlineData(false, "-quality 97")]
    [InlineData(false, "-quality 30 -optimize")]
    [InlineData(false, "-grayscale")]
    [InlineData(false, "-progressive")]
    [InlineData(false, "-sample 1x1")]
    [InlineData(false, "-sample 2x1")]
    [InlineData(false, "-sample 1x2 -progressive")]
    [InlineData(false, "-arithmetic")]
    [InlineData(false, "-restart 1 -optimize")]
    [InlineData(false, "-rgb")]
    [InlineData(false, "-dct float -quality 60")]
    [InlineData(true, "")]
    [InlineData(true, "-progressive -arithmetic")]
    public void JpegMatchesDjpegExactly(bool grayInput, string options)
    {
        var (jpeg, reference) = CjpegAndDjpeg(Photo(67, 45, grayInput, 1), options.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var ours = ImageDecoder.DecodeFile(jpeg);
        PixelAssert.Equal(reference.Width, reference.Height, reference.Pixels, ours, $"cjpeg {options} (gray input {grayInput})");
    }

    [Theory]
    [InlineData(0)] [InlineData(10)] [InlineData(19)] [InlineData(20)] [InlineData(38)] [InlineData(60)] [InlineData(75)] [InlineData(150)] [InlineData(151)] [InlineData(1000)]
    public void JpegScaledDecodeMatchesDjpegScale(int minSide)
    {
        const int w = 203, h = 150;
        // libjpeg-turbo scales by n/8; the decoder must pick the smallest n whose shorter side is >= minSide.
        int n = 8;
        if (minSide > 0)
            for (int k = 1; k <= 8; k++)
                if (Math.Min((w * k + 7) / 8, (h * k + 7) / 8) >= minSide) { n = k; break; }
        var (jpeg, reference) = CjpegAndDjpeg(Photo(w, h, false, 2), [], ["-scale", $"{n}/8"]);
        var ours = ImageDecoder.Decode(File.ReadAllBytes(jpeg), "scaled.jpg", minSide);
        Assert.Equal(((h * n) + 7) / 8, ours.Height);
        PixelAssert.Equal(reference.Width, reference.Height, reference.Pixels, ours, $"minSide {minSide} -> scale {n}/8");
        // Other formats ignore the hint.
        var png = TestPng.Encode(9, 9, 0, 8, new int[81]);
        Assert.Equal(9, ImageDecoder.Decode(png, "x.png", minSide).Width);
    }

    [Fact]
    public void CmykJpegMatchesDjpeg()
    {
        DecoderTools.RequirePillow();
        var jpeg = Path.Combine(_dir, "cmyk.jpg");
        var script = Path.Combine(_dir, "cmyk.py");
        File.WriteAllText(script, """
            import sys
            from PIL import Image
            im = Image.new('CMYK', (37, 21))
            px = im.load()
            for y in range(21):
                for x in range(37):
                    px[x, y] = ((x * 7) % 256, (y * 12) % 256, (x * y) % 256, (x + y) * 3 % 256)
            im.save(sys.argv[1], quality=95)
            """);
        DecoderTools.Run("python3", "python3-pil", script, jpeg);
        var (w, h, rgb) = TestPnm.ReadReference(DecoderTools.Run("djpeg", "libjpeg-turbo-progs", "-pnm", jpeg), "djpeg cmyk");
        PixelAssert.Equal(w, h, rgb, ImageDecoder.DecodeFile(jpeg), "CMYK JPEG");
    }

    [Fact]
    public void JpegTruncationAndCorruptionOnlyRaiseDecodeErrors()
    {
        var (jpegPath, _) = CjpegAndDjpeg(Photo(48, 40, false, 3), ["-progressive"]);
        var jpeg = File.ReadAllBytes(jpegPath);
        for (int cut = 0; cut < jpeg.Length; cut += Math.Max(1, jpeg.Length / 60))
        {
            try
            {
                ImageDecoder.Decode(jpeg.AsSpan(0, cut), $"cut{cut}.jpg");
                Assert.Fail($"a JPEG of {jpeg.Length} bytes cut to {cut} decoded without an error");
            }
            catch (ImageDecodeException ex)
            {
                Assert.StartsWith($"cut{cut}.jpg: ", ex.Message);
            }
        }
        Assert.Contains("truncated", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg.AsSpan(0, jpeg.Length * 2 / 3), "t.jpg")).Message);

        var rng = new Random(99);
        for (int iter = 0; iter < 150; iter++)
        {
            var bad = (byte[])jpeg.Clone();
            for (int f = 0; f < 1 + rng.Next(6); f++) bad[3 + rng.Next(bad.Length - 3)] = (byte)rng.Next(256);
            try { ImageDecoder.Decode(bad, "fuzz.jpg"); }
            catch (ImageDecodeException ex) { Assert.StartsWith("fuzz.jpg: ", ex.Message); }
        }
    }

    [Fact]
    public void JpegAbsurdDimensions()
    {
        var (jpegPath, _) = CjpegAndDjpeg(Photo(16, 16, false, 4), []);
        var jpeg = File.ReadAllBytes(jpegPath);
        int sof = -1;
        for (int i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) { sof = i; break; }
        Assert.True(sof > 0, "no SOF0 marker");
        foreach (var (w, h, what) in ((ushort, ushort, string)[])[(60000, 60000, "exceed the limit"), (32768, 8000, "implausible"), (40000, 2, "exceed the limit")])
        {
            var bad = (byte[])jpeg.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(bad.AsSpan(sof + 5), h);
            BinaryPrimitives.WriteUInt16BigEndian(bad.AsSpan(sof + 7), w);
            var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bad, "huge.jpg"));
            Assert.Contains(what, ex.Message);
        }
    }
}
