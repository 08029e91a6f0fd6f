using Dnas.Data.Images;
using Dnas.Data.Preprocess;
using Dnas.Engine;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>The preprocessing definition: hand-computed resize cases, crop offsets, the gray
/// formula, quantize tables, a double-precision reference for the resize, augmentation and
/// the batch builder.</summary>
public class PreprocessTests
{
    // ---- helpers -------------------------------------------------------------------------

    private static byte[] Resize(byte[] src, int sw, int sh, int sc, CropWindow win, int dw, int dh, int dc, ResizeMethod m)
    {
        var dst = new byte[dw * dh * dc];
        new Resizer().Run(src, sw, sh, sc, win, dst, dw, dh, dc, m);
        return dst;
    }

    private static byte[] Gray(byte[] src, int w, int h, int dw, int dh, ResizeMethod m = ResizeMethod.Area) =>
        Resize(src, w, h, 1, CropWindow.Full(w, h), dw, dh, 1, m);

    private static byte[] RandomBytes(int n, int seed)
    {
        var rng = new Rng((ulong)seed);
        var a = new byte[n];
        for (int i = 0; i < n; i++) a[i] = (byte)rng.NextInt(256);
        return a;
    }

    private static RgbImage RandomImage(int w, int h, int seed) => new(w, h, RandomBytes(w * h * 3, seed));

    /// <summary>Real-valued per-axis weights, written from the definitions of the filters
    /// (box filter over [j·S/D, (j+1)·S/D); bilinear at x = (j+0.5)·S/D − 0.5, clamped).</summary>
    private static (int Index, double Weight)[][] ReferenceAxis(int s, int d, ResizeMethod method)
    {
        var axis = new (int, double)[d][];
        bool area = method == ResizeMethod.Area && s >= d;
        for (int j = 0; j < d; j++)
        {
            var taps = new List<(int, double)>();
            if (area)
            {
                double a = (double)j * s / d, b = (double)(j + 1) * s / d;
                for (int i = (int)Math.Floor(a); i < b; i++)
                {
                    double overlap = Math.Min(b, i + 1) - Math.Max(a, i);
                    if (overlap > 0) taps.Add((i, overlap / (b - a)));
                }
            }
            else if (method == ResizeMethod.Nearest)
            {
                taps.Add(((int)Math.Floor((j + 0.5) * s / d), 1.0));
            }
            else
            {
                double x = Math.Clamp((j + 0.5) * s / d - 0.5, 0, s - 1);
                int i0 = (int)Math.Floor(x);
                double f = x - i0;
                taps.Add((i0, 1 - f));
                if (f > 0) taps.Add((i0 + 1, f));
            }
            axis[j] = [.. taps];
        }
        return axis;
    }

    private static double[] ReferenceResize(byte[] src, int sw, int sc, CropWindow win, int dw, int dh, ResizeMethod m)
    {
        var ax = ReferenceAxis(win.Width, dw, m);
        var ay = ReferenceAxis(win.Height, dh, m);
        var o = new double[dw * dh * sc];
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++)
                for (int c = 0; c < sc; c++)
                {
                    double sum = 0;
                    foreach (var (iy, wy) in ay[y])
                        foreach (var (ix, wx) in ax[x])
                            sum += wy * wx * src[((win.Y + iy) * sw + win.X + ix) * sc + c];
                    o[(y * dw + x) * sc + c] = sum;
                }
        return o;
    }

    private static void WithinOneLsb(string what, double[] reference, byte[] actual)
    {
        Assert.Equal(reference.Length, actual.Length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = Math.Abs(Math.Floor(reference[i] + 0.5) - actual[i]);
            if (d > worst) { worst = d; at = i; }
        }
        Assert.True(worst <= 1, $"{what}: off by {worst} at [{at}] (reference {reference[at]:F3}, got {actual[at]})");
    }

    // ---- hand-computed resize cases ------------------------------------------------------

    [Fact]
    public void Area2x2To1x1IsTheMeanRoundedHalfUp()
    {
        Assert.Equal([25], Gray([10, 20, 30, 41], 2, 2, 1, 1));  // 25.25
        Assert.Equal([26], Gray([10, 20, 30, 42], 2, 2, 1, 1));  // 25.5 rounds up
        Assert.Equal([255], Gray([255, 255, 255, 255], 2, 2, 1, 1));
    }

    [Fact]
    public void Area3x3To2x2UsesFractionalCoverage()
    {
        var taps = AxisTaps.Create(3, 2, ResizeMethod.Area);
        // Output 0 covers pixels 0 (2/3) and 1 (1/3); output 1 covers 1 (1/3) and 2 (2/3).
        // R(2) = (2·4096 + 1) / 3 = 2731, so the weights are 2731, 1365 and 1365, 2731.
        Assert.Equal((0, 2), (taps.First(0), taps.Count(0)));
        Assert.Equal((2731, 1365), (taps.Weight(0, 0), taps.Weight(0, 1)));
        Assert.Equal((1, 2), (taps.First(1), taps.Count(1)));
        Assert.Equal((1365, 2731), (taps.Weight(1, 0), taps.Weight(1, 1)));
        byte[] src = [0, 30, 60, 90, 120, 150, 180, 210, 240];
        // (4·0 + 2·30 + 2·90 + 120)/9 = 40, (2·30+4·60+1·120+2·150)/9 = 80, …
        Assert.Equal([40, 80, 160, 200], Gray(src, 3, 3, 2, 2));
    }

    [Theory]
    [InlineData(ResizeMethod.Area)]
    [InlineData(ResizeMethod.Bilinear)]
    [InlineData(ResizeMethod.Nearest)]
    public void SameSizeIsTheIdentity(ResizeMethod m)
    {
        foreach (var (w, h) in new[] { (1, 1), (5, 3), (17, 31), (96, 96) })
        {
            var rgb = RandomBytes(w * h * 3, w * 100 + h);
            Assert.Equal(rgb, Resize(rgb, w, h, 3, CropWindow.Full(w, h), w, h, 3, m));
            var gray = RandomBytes(w * h, w * 100 + h + 1);
            Assert.Equal(gray, Resize(gray, w, h, 1, CropWindow.Full(w, h), w, h, 1, m));
        }
    }

    [Theory]
    [InlineData(ResizeMethod.Area)]
    [InlineData(ResizeMethod.Bilinear)]
    public void Upscale2To4IsPixelCentreBilinear(ResizeMethod m)
    {
        // Source positions of outputs 0..3: −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1),
        // so each axis uses weights (1,0), (.75,.25), (.25,.75), (0,1).
        byte[] src = [0, 100, 200, 40];
        byte[] expected =
        [
            0, 25, 75, 100,
            50, 59, 76, 85,       // .75·row0 + .25·row3: 58.75 → 59, 76.25 → 76
            150, 126, 79, 55,     // .25·row0 + .75·row3: 126.25 → 126, 78.75 → 79
            200, 160, 80, 40,
        ];
        Assert.Equal(expected, Gray(src, 2, 2, 4, 4, m));
        var taps = AxisTaps.Create(2, 4, m);
        Assert.Equal(ResizeMethod.Bilinear, taps.Filter);
        Assert.Equal(3072, taps.Weight(1, 0));
        Assert.Equal(1024, taps.Weight(1, 1));
    }

    [Fact]
    public void NearestPicksThePixelWhoseCentreIsClosest()
    {
        byte[] src = [10, 20, 30, 40, 50, 60];
        Assert.Equal([20, 50], Gray(src, 6, 1, 2, 1, ResizeMethod.Nearest));     // centres 1.5 → 1, 4.5 → 4
        Assert.Equal([10, 10, 20, 20, 30, 30], Resize([10, 20, 30], 3, 1, 1, CropWindow.Full(3, 1), 6, 1, 1, ResizeMethod.Nearest));
    }

    [Fact]
    public void TapsAlwaysSumToOneAndStayInRange()
    {
        foreach (var m in new[] { ResizeMethod.Area, ResizeMethod.Bilinear, ResizeMethod.Nearest })
            for (int s = 1; s <= 70; s++)
                for (int d = 1; d <= 70; d++)
                {
                    var t = AxisTaps.Create(s, d, m);
                    for (int j = 0; j < d; j++)
                    {
                        int sum = 0;
                        Assert.InRange(t.Count(j), 1, t.Stride);
                        Assert.True(t.First(j) >= 0 && t.First(j) + t.Count(j) <= s, $"{m} {s}->{d} output {j} reads outside the source");
                        for (int k = 0; k < t.Count(j); k++)
                        {
                            Assert.InRange(t.Weight(j, k), 0, AxisTaps.One);
                            sum += t.Weight(j, k);
                        }
                        Assert.Equal(AxisTaps.One, sum);
                    }
                }
    }

    [Fact]
    public void LargeDownscaleOfWhiteStaysWhite()
    {
        // The largest accumulator (255·2^24 + 2^23) must not overflow 32 bits.
        var white = Enumerable.Repeat((byte)255, 3001 * 2003 * 3).ToArray();
        Assert.Equal([255, 255, 255], Resize(white, 3001, 2003, 3, CropWindow.Full(3001, 2003), 1, 1, 3, ResizeMethod.Area));
        var one = Resize(white, 3001, 2003, 3, CropWindow.Full(3001, 2003), 7, 5, 1, ResizeMethod.Area);
        Assert.All(one, v => Assert.Equal(255, v));
    }

    // ---- crop window ---------------------------------------------------------------------

    [Fact]
    public void CentreCropOffsetsFloorForOddSizes()
    {
        Assert.Equal(new CropWindow(1, 0, 5, 5), CropWindow.Centre(7, 5, 96, 96));
        Assert.Equal(new CropWindow(1, 0, 5, 5), CropWindow.Centre(8, 5, 96, 96));    // (8−5)/2 = 1
        Assert.Equal(new CropWindow(0, 1, 5, 5), CropWindow.Centre(5, 8, 1, 1));
        Assert.Equal(new CropWindow(21, 0, 119, 119), CropWindow.Centre(161, 119, 96, 96));
        Assert.Equal(new CropWindow(0, 12, 100, 75), CropWindow.Centre(100, 100, 64, 48)); // 100·48/64 = 75, (100−75)/2 = 12
        Assert.Equal(new CropWindow(3, 0, 75, 100), CropWindow.Centre(81, 100, 3, 4));      // 81·4 ≥ 100·3: Ch = 100, Cw = 300/4 = 75, X = 6/2
        Assert.Equal(new CropWindow(0, 1, 81, 108), CropWindow.Centre(81, 110, 3, 4));      // 81·4 < 110·3: Cw = 81, Ch = 324/3 = 108, Y = 2/2
    }

    [Fact]
    public void CentreCropOfSpecsAndExtremes()
    {
        Assert.Equal(new CropWindow(0, 0, 160, 120), PreprocessSpec.Parse("96x96 rgb area squash").WindowFor(160, 120));
        Assert.Equal(new CropWindow(20, 0, 120, 120), PreprocessSpec.Square(96, ColorMode.Rgb).WindowFor(160, 120));
        Assert.Equal(new CropWindow(499, 0, 1, 1), CropWindow.Centre(1000, 1, 1, 96));
        Assert.Equal(new CropWindow(0, 0, 1, 1), CropWindow.Centre(1, 1, 96, 96));
    }

    [Fact]
    public void ResizeReadsOnlyTheWindow()
    {
        var a = RandomBytes(40 * 30 * 3, 5);
        var b = (byte[])a.Clone();
        var win = new CropWindow(7, 4, 20, 17);
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 40; x++)
                if (x < win.X || x >= win.X + win.Width || y < win.Y || y >= win.Y + win.Height)
                    for (int c = 0; c < 3; c++) b[(y * 40 + x) * 3 + c] ^= 0xA5;
        foreach (var m in new[] { ResizeMethod.Area, ResizeMethod.Bilinear, ResizeMethod.Nearest })
            foreach (var (dw, dh) in new[] { (9, 8), (33, 40) })
                Assert.Equal(Resize(a, 40, 30, 3, win, dw, dh, 3, m), Resize(b, 40, 30, 3, win, dw, dh, 3, m));
    }

    // ---- colour --------------------------------------------------------------------------

    [Fact]
    public void GrayUsesBt601IntegerWeights()
    {
        Assert.Equal(0, Color.Gray(0, 0, 0));
        Assert.Equal(255, Color.Gray(255, 255, 255));
        Assert.Equal(77, Color.Gray(255, 0, 0));     // (19635 + 128) >> 8
        Assert.Equal(149, Color.Gray(0, 255, 0));    // (38250 + 128) >> 8
        Assert.Equal(29, Color.Gray(0, 0, 255));     // (7395 + 128) >> 8
        Assert.Equal(141, Color.Gray(100, 150, 200)); // 36128 >> 8; exact 140.75
        for (int v = 0; v < 256; v++) Assert.Equal(v, Color.Gray(v, v, v));
    }

    [Fact]
    public void GrayOutputConvertsSourcePixelsBeforeTheResize()
    {
        var rgb = RandomBytes(23 * 17 * 3, 9);
        var gray = new byte[23 * 17];
        Color.ToGray(rgb, gray);
        var win = CropWindow.Centre(23, 17, 8, 8);
        Assert.Equal(Resize(gray, 23, 17, 1, win, 8, 8, 1, ResizeMethod.Area), Resize(rgb, 23, 17, 3, win, 8, 8, 1, ResizeMethod.Area));
        // A gray source with an RGB output: the gray result in all three channels.
        var g = Resize(gray, 23, 17, 1, win, 8, 8, 1, ResizeMethod.Area);
        var g3 = Resize(gray, 23, 17, 1, win, 8, 8, 3, ResizeMethod.Area);
        for (int i = 0; i < g.Length; i++) Assert.Equal([g[i], g[i], g[i]], g3.AsSpan(3 * i, 3).ToArray());
    }

    // ---- against a double-precision reference --------------------------------------------

    [Theory]
    [InlineData(161, 119, 96, 96, CropMode.Squash)]
    [InlineData(161, 119, 96, 96, CropMode.CentreCrop)]
    [InlineData(161, 119, 35, 35, CropMode.Squash)]
    [InlineData(161, 119, 35, 35, CropMode.CentreCrop)]
    [InlineData(640, 480, 32, 32, CropMode.CentreCrop)]
    [InlineData(320, 240, 96, 64, CropMode.Squash)]
    public void AreaMatchesDoubleBoxFilter(int sw, int sh, int dw, int dh, CropMode crop)
    {
        var spec = new PreprocessSpec(dw, dh, ColorMode.Rgb, ResizeMethod.Area, crop);
        var src = RandomBytes(sw * sh * 3, sw + sh + dw);
        var win = spec.WindowFor(sw, sh);
        var got = new byte[spec.Length];
        new Preprocessor(spec).ToBytes(src, sw, sh, 3, got);
        WithinOneLsb($"{sw}x{sh} -> {spec}", ReferenceResize(src, sw, 3, win, dw, dh, ResizeMethod.Area), got);
    }

    [Fact]
    public void AllMethodsMatchDoubleReferenceOverRandomSizes()
    {
        var rng = new Rng(77);
        for (int trial = 0; trial < 60; trial++)
        {
            int sw = 1 + rng.NextInt(150), sh = 1 + rng.NextInt(150), dw = 1 + rng.NextInt(100), dh = 1 + rng.NextInt(100);
            int c = rng.NextInt(2) == 0 ? 1 : 3;
            var m = (ResizeMethod)rng.NextInt(3);
            var src = RandomBytes(sw * sh * c, trial);
            int cw = 1 + rng.NextInt(sw), ch = 1 + rng.NextInt(sh);
            var win = new CropWindow(rng.NextInt(sw - cw + 1), rng.NextInt(sh - ch + 1), cw, ch);
            var got = Resize(src, sw, sh, c, win, dw, dh, c, m);
            var reference = ReferenceResize(src, sw, c, win, dw, dh, m);
            if (m == ResizeMethod.Nearest) Assert.Equal(reference.Select(v => (byte)v).ToArray(), got);
            else WithinOneLsb($"{m} {win} of {sw}x{sh}x{c} -> {dw}x{dh}", reference, got);
        }
    }

    // ---- quantization ----------------------------------------------------------------------

    public static TheoryData<double, int> QuantParams() => new()
    {
        { 1.0 / 255, -128 }, { 0.00784, -1 }, { 1.0 / 128, 0 }, { 0.003921568859368563, -128 }, { 0.0157, 3 }, { 0.02, -100 },
    };

    [Theory]
    [MemberData(nameof(QuantParams))]
    public void QuantizeTableIsTheDoubleFormula(double scale, int zp)
    {
        var table = new QuantizeTable(scale, zp);
        for (int v = 0; v < 256; v++)
        {
            double q = Math.Round(v / 255.0 / scale, MidpointRounding.AwayFromZero) + zp;
            Assert.Equal((sbyte)Math.Clamp(q, -128, 127), table.Table()[v]);
        }
        var pixels = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var q8 = new sbyte[256];
        table.Apply(pixels, q8, 1);
        Assert.Equal(table.Table().ToArray(), q8);
    }

    [Fact]
    public void QuantizeTableKnownEntries()
    {
        var full = new QuantizeTable(1.0 / 255, -128);
        for (int v = 0; v < 256; v++) Assert.Equal(v - 128, full.Table()[v]);
        var half = new QuantizeTable(1.0 / 128, 0);
        Assert.Equal(0, half.Table()[0]);
        Assert.Equal(1, half.Table()[1]);     // 128/255 = 0.502
        Assert.Equal(127, half.Table()[253]); // 127.0
        Assert.Equal(127, half.Table()[255]); // 128 clamped
        var tf = new QuantizeTable(0.00784, -1);
        Assert.Equal(-1, tf.Table()[0]);
        Assert.Equal(127, tf.Table()[255]);   // 127.55 → 128, −1
        Assert.Contains("const int8_t input_lut[256] = {", tf.ToC("input_lut"));
    }

    [Theory]
    [MemberData(nameof(QuantParams))]
    public void FloatPathIsDequantizedInt8UpToQuantizationError(double scale, int zp)
    {
        var table = new QuantizeTable(scale, zp);
        for (int v = 0; v < 256; v++)
        {
            double x = FloatInput.Value((byte)v), q = Math.Round(x / scale) + zp;
            if (q < -128 || q > 127) continue; // clamped: the model cannot represent it
            Assert.True(Math.Abs(x - table.Dequantize(table.Table()[v])) <= scale / 2 + 1e-6, $"v={v}");
        }
        // The whole pipeline, both paths from the same frame.
        var spec = new PreprocessSpec(24, 20, ColorMode.Rgb);
        var pre = new Preprocessor(spec);
        var img = RandomImage(61, 47, 3);
        var i8 = new sbyte[spec.Length];
        var f = new float[spec.Length];
        pre.ToInt8(img, table, i8);
        pre.ToFloat(img.Pixels, img.Width, img.Height, 3, f);
        int compared = 0;
        for (int i = 0; i < f.Length; i++)
        {
            if (i8[i] == 127 || i8[i] == -128) continue;
            compared++;
            Assert.True(Math.Abs(f[i] - table.Dequantize(i8[i])) <= scale / 2 + 1e-6, $"element {i}");
        }
        Assert.True(compared > f.Length / 3);
    }

    [Fact]
    public void NormalizedTablesMatchNormalizedFloats()
    {
        var norm = new Normalization([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        double scale = 0.0187;
        var table = new QuantizeTable(scale, -14, norm);
        Assert.Equal(3, table.Channels);
        var spec = new PreprocessSpec(16, 16, ColorMode.Rgb);
        var pre = new Preprocessor(spec);
        var img = RandomImage(40, 33, 8);
        var i8 = new sbyte[spec.Length];
        var f = new float[spec.Length];
        pre.ToInt8(img, table, i8);
        pre.ToFloat(img.Pixels, img.Width, img.Height, 3, f, norm);
        for (int i = 0; i < f.Length; i++)
        {
            if (i8[i] == 127 || i8[i] == -128) continue;
            Assert.True(Math.Abs(f[i] - table.Dequantize(i8[i])) <= scale / 2 + 1e-5, $"element {i}");
        }
        Assert.Contains("[3][256]", table.ToC("lut"));
    }

    // ---- spec text -----------------------------------------------------------------------

    [Fact]
    public void SpecTextFormRoundTrips()
    {
        Assert.Equal("96x96 rgb area centre-crop", PreprocessSpec.Square(96, ColorMode.Rgb).ToString());
        Assert.Equal("64x48 gray bilinear squash", new PreprocessSpec(64, 48, ColorMode.Gray, ResizeMethod.Bilinear, CropMode.Squash).ToString());
        foreach (var w in new[] { 1, 32, 96, 4096 })
            foreach (ColorMode c in Enum.GetValues<ColorMode>())
                foreach (ResizeMethod r in Enum.GetValues<ResizeMethod>())
                    foreach (CropMode k in Enum.GetValues<CropMode>())
                    {
                        var s = new PreprocessSpec(w, 17, c, r, k);
                        Assert.Equal(s, PreprocessSpec.Parse(s.ToString()));
                    }
        Assert.Equal(PreprocessSpec.Square(32, ColorMode.Gray), PreprocessSpec.Parse("  32x32   GRAY Area centre-crop "));
        foreach (var bad in new[] { "", "96 rgb area centre-crop", "96x96 rgb area", "96x96 cmyk area squash", "0x96 rgb area squash", "96x-1 rgb area squash", "96x96 rgb cubic squash", "96x96 rgb area pad" })
            Assert.False(PreprocessSpec.TryParse(bad, out _), bad);
        Assert.Throws<FormatException>(() => PreprocessSpec.Parse("96x96"));
    }

    // ---- augmentation --------------------------------------------------------------------

    [Fact]
    public void AugmentationIsDeterministicPerEpochAndIndex()
    {
        var spec = PreprocessSpec.Square(32, ColorMode.Rgb);
        var opts = AugmentOptions.Default;
        AugmentParams Draw(int epoch, int index) => Augment.Sample(new Rng(Augment.Seed(42, epoch, index)), 160, 120, spec, opts);
        Assert.Equal(Draw(3, 17), Draw(3, 17));
        var rng = new Rng(5);
        rng.NextGaussian(); // leaves a spare value behind, which Reseed must drop
        rng.Reseed(Augment.Seed(42, 3, 17));
        Assert.Equal(Draw(3, 17), Augment.Sample(rng, 160, 120, spec, opts));
        var distinct = new HashSet<AugmentParams>();
        for (int e = 0; e < 4; e++)
            for (int i = 0; i < 25; i++) distinct.Add(Draw(e, i));
        Assert.True(distinct.Count >= 98, $"only {distinct.Count} distinct augmentations of 100");
        Assert.NotEqual(Augment.Seed(1, 0, 1), Augment.Seed(1, 1, 0));

        var img = RandomImage(160, 120, 1);
        var pre = new Preprocessor(spec);
        var a = new float[spec.Length];
        var b = new float[spec.Length];
        pre.ToFloat(img.Pixels, 160, 120, 3, Draw(2, 9), a);
        pre.ToFloat(img.Pixels, 160, 120, 3, Draw(2, 9), b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void FlipMirrorsTheResizedImage()
    {
        foreach (var c in new[] { ColorMode.Gray, ColorMode.Rgb })
        {
            var spec = new PreprocessSpec(13, 9, c);
            int ch = spec.Channels;
            var img = RandomImage(50, 41, 2);
            var pre = new Preprocessor(spec);
            var win = spec.WindowFor(50, 41);
            var plain = new float[spec.Length];
            var flipped = new float[spec.Length];
            pre.ToFloat(img.Pixels, 50, 41, 3, AugmentParams.None(win), plain);
            pre.ToFloat(img.Pixels, 50, 41, 3, AugmentParams.None(win) with { Flip = true }, flipped);
            for (int y = 0; y < 9; y++)
                for (int x = 0; x < 13; x++)
                    for (int k = 0; k < ch; k++)
                        Assert.Equal(plain[(y * 13 + x) * ch + k], flipped[(y * 13 + 12 - x) * ch + k]);
            // Through sampling: p = 1 with a fixed full-window crop flips, p = 0 does not.
            var fixedCrop = new AugmentOptions { ScaleMin = 1, ScaleMax = 1, RatioMin = 1, RatioMax = 1, FlipProbability = 1, Brightness = 0, Contrast = 0 };
            var p = Augment.Sample(new Rng(3), 50, 41, spec, fixedCrop);
            Assert.True(p.Flip);
            Assert.Equal((1f, 1f), (p.Brightness, p.Contrast));
            Assert.False(Augment.Sample(new Rng(3), 50, 41, spec, fixedCrop with { FlipProbability = 0 }).Flip);
        }
    }

    [Fact]
    public void RandomResizedCropStatistics()
    {
        var opts = AugmentOptions.Default;
        var area = new CropWindow(20, 0, 120, 120);
        var rng = new Rng(11);
        double sumFraction = 0;
        int n = 20000, fallbacks = 0;
        for (int i = 0; i < n; i++)
        {
            var w = Augment.RandomResizedCrop(rng, area, 1.0, opts);
            Assert.True(w.X >= area.X && w.Y >= area.Y && w.X + w.Width <= area.X + area.Width && w.Y + w.Height <= area.Y + area.Height, $"{w} leaves {area}");
            double fraction = (double)w.Width * w.Height / (area.Width * area.Height);
            // w and h are rounded to whole pixels, which moves the area by at most (w + h)/2 + 1/4.
            double slack = (0.5 * (w.Width + w.Height) + 0.25) / (area.Width * area.Height);
            Assert.InRange(fraction, 0.6 - slack, 1.0);
            double ratio = (double)w.Width / w.Height;
            Assert.InRange(ratio, 0.75 * (1 - 1.0 / 60), 4.0 / 3 * (1 + 1.0 / 60));
            if (w == area) fallbacks++;
            sumFraction += fraction;
        }
        // torchvision's sampling accepts an attempt only if the crop fits: scale ≤ min(r, 1/r) on a
        // square area, so large non-square crops are rejected and the accepted fraction has mean
        // E[s | s ≤ min(r, 1/r)] ≈ 0.744 (s ~ U(0.6, 1), ln r ~ U(ln 3/4, ln 4/3); numerically).
        Assert.InRange(sumFraction / n, 0.735, 0.76);
        Assert.True(fallbacks < n / 100);

        // No attempt succeeds → centre crop clamped to the ratio range.
        var impossible = new AugmentOptions { RatioMin = 2, RatioMax = 3 };
        Assert.Equal(new CropWindow(20, 30, 120, 60), Augment.RandomResizedCrop(rng, area, 1.0, impossible));
        Assert.Equal(area, Augment.RandomResizedCrop(rng, area, 1.0, opts with { Attempts = 0 }));
        // Non-square outputs measure the ratio relative to the output: 2:1 output, ratio 1 → a 2:1 window.
        var wide = Augment.RandomResizedCrop(rng, new CropWindow(0, 0, 200, 100), 2.0, opts with { RatioMin = 1, RatioMax = 1 });
        Assert.InRange((double)wide.Width / wide.Height, 1.95, 2.05);
    }

    [Fact]
    public void JitterStaysInRangeAndKeepsTheResize()
    {
        var spec = PreprocessSpec.Square(20, ColorMode.Rgb);
        var pre = new Preprocessor(spec);
        var img = RandomImage(64, 48, 4);
        var rng = new Rng(8);
        var f = new float[spec.Length];
        for (int i = 0; i < 50; i++)
        {
            var p = Augment.Sample(rng, 64, 48, spec, AugmentOptions.Default);
            Assert.InRange(p.Brightness, 0.8f, 1.2f);
            Assert.InRange(p.Contrast, 0.8f, 1.2f);
            pre.ToFloat(img.Pixels, 64, 48, 3, p, f);
            Assert.All(f, v => Assert.InRange(v, 0f, 1f));
            // Without flip and jitter, the augmented float input is exactly v/255 of the integer resize of its window.
            var bytes = new byte[spec.Length];
            pre.ToBytes(img.Pixels, 64, 48, 3, p.Window, bytes);
            pre.ToFloat(img.Pixels, 64, 48, 3, p with { Flip = false, Brightness = 1, Contrast = 1 }, f);
            for (int k = 0; k < f.Length; k++) Assert.Equal(bytes[k] / 255f, f[k]);
        }
        // Hand check: brightness 1.1 then contrast 0.9 on a gray 1x2 image.
        var d = new float[2];
        FloatInput.Write([100, 250], 2, 1, 1, new AugmentParams(default, false, 1.1f, 0.9f), d);
        float x0 = 100 / 255f * 1.1f, x1 = 1f; // 250/255·1.1 clips to 1
        float m = (float)(((double)x0 + x1) / 2), off = (1 - 0.9f) * m;
        Assert.Equal(0.9f * x0 + off, d[0]);
        Assert.Equal(Math.Min(1f, 0.9f * x1 + off), d[1]);
    }

    // ---- batch builder -------------------------------------------------------------------

    private static List<RgbImage> MixedImages() =>
    [
        RandomImage(160, 120, 21), RandomImage(96, 96, 22), RandomImage(61, 140, 23), RandomImage(20, 15, 24),
        RandomImage(320, 240, 25), RandomImage(33, 33, 26), RandomImage(97, 71, 27),
    ];

    [Theory]
    [InlineData(ColorMode.Rgb, true)]
    [InlineData(ColorMode.Gray, true)]
    [InlineData(ColorMode.Rgb, false)]
    public void BatchBuilderEqualsThePerImagePath(ColorMode color, bool augment)
    {
        // The batch is built in parallel parts (Workers.For); every image must equal the
        // sequential single-image path, whatever part and thread it landed in.
        var spec = PreprocessSpec.Square(40, color);
        var images = MixedImages();
        int[] ids = [700, 3, 15, 42, 9, 100, 1];
        var norm = Normalization.MinusOneToOne;
        var builder = new BatchBuilder(spec, augment ? AugmentOptions.Default : null, norm, seed: 1234);
        var batch = new Tensor(1, 1, 1, 1);
        builder.Fill(images, batch, epoch: 5, ids);
        Assert.Equal(new[] { images.Count, 40, 40, spec.Channels }, batch.Shape.ToArray());

        var pre = new Preprocessor(spec);
        var one = new float[spec.Length];
        for (int i = 0; i < images.Count; i++)
        {
            var img = images[i];
            var p = augment
                ? Augment.Sample(new Rng(Augment.Seed(1234, 5, ids[i])), img.Width, img.Height, spec, AugmentOptions.Default)
                : AugmentParams.None(spec.WindowFor(img.Width, img.Height));
            pre.ToFloat(img.Pixels, img.Width, img.Height, 3, p, one, norm);
            Assert.Equal(one, batch.Span.Slice(i * spec.Length, spec.Length).ToArray());
        }
        if (!augment)
        {
            pre.ToFloat(images[0].Pixels, 160, 120, 3, one, norm);
            Assert.Equal(one, batch.Span.Slice(0, spec.Length).ToArray());
        }
    }

    [Fact]
    public void BatchBuilderAllocatesNothingAfterWarmUp()
    {
        var spec = PreprocessSpec.Square(32, ColorMode.Rgb);
        var images = MixedImages();
        int[] ids = [0, 1, 2, 3, 4, 5, 6];
        var builder = new BatchBuilder(spec, AugmentOptions.Default, seed: 9);
        var batch = new Tensor(images.Count, 32, 32, 3);
        // Random crops vary in size, so warm up until the buffers have seen large windows.
        for (int e = 0; e < 20; e++) builder.Fill(images, batch, e, ids);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int e = 20; e < 23; e++) builder.Fill(images, batch, e, ids);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"three batches allocated {allocated} bytes");
    }
}

/// <summary>Filling a batch straight from an <see cref="Dnas.Data.Preprocess.IImageSource"/>
/// (the prepared store's interface) equals filling it from decoded copies.</summary>
public class BatchSourceTests
{
    [Fact]
    public void SourceItemsEqualTheListPath()
    {
        var rng = new Dnas.Engine.Rng(9);
        var images = Enumerable.Range(0, 6).Select(i =>
        {
            var img = new Dnas.Data.Images.RgbImage(40 + i, 30 + 2 * i);
            for (int k = 0; k < img.Pixels.Length; k++) img.Pixels[k] = (byte)rng.NextInt(256);
            return img;
        }).ToArray();
        var builder = new Dnas.Data.Preprocess.BatchBuilder(Dnas.Data.Preprocess.PreprocessSpec.Square(24, Dnas.Data.Preprocess.ColorMode.Gray),
            new Dnas.Data.Preprocess.AugmentOptions(), seed: 5);
        int[] items = [4, 1, 5];
        var fromSource = new Dnas.Engine.Tensor(0);
        builder.Fill(new Dnas.Data.Preprocess.RgbImageList(images), items, fromSource, epoch: 2);
        var fromList = new Dnas.Engine.Tensor(0);
        builder.Fill(items.Select(i => images[i]).ToArray(), fromList, epoch: 2, indices: items);
        Assert.Equal(new[] { 3, 24, 24, 1 }, fromSource.Shape.ToArray());
        Assert.Equal(fromList.Span.ToArray(), fromSource.Span.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Fill(new Dnas.Data.Preprocess.RgbImageList(images), [6], fromSource));
    }
}
