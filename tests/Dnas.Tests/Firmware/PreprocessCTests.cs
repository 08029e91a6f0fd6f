using Dnas.Data.Preprocess;
using Dnas.Firmware;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Firmware;

/// <summary>firmware/dnas_preprocess.c against the C# definition (<see cref="CameraPixels"/> +
/// <see cref="Preprocessor"/>): every camera format x gray/RGB model x resize method at odd
/// sizes, host-compiled with the strict flags and again under ASan + UBSan; the uint8 image and
/// the int8 input must be byte-identical.</summary>
public sealed class PreprocessCTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, CameraFormat, ColorMode> Cases()
    {
        var data = new TheoryData<string, CameraFormat, ColorMode>();
        foreach (var (build, _) in CTools.HostBuilds)
            foreach (var format in Enum.GetValues<CameraFormat>())
                foreach (var color in Enum.GetValues<ColorMode>())
                    data.Add(build, format, color);
        return data;
    }

    // (frame w, h) -> (model w, h), method, crop: shrink at odd sizes, grow, mixed axes, non-square, squash.
    private static readonly (int Fw, int Fh, int Ow, int Oh, ResizeMethod Method, CropMode Crop)[] Geometries =
    [
        (161, 119, 96, 96, ResizeMethod.Area, CropMode.CentreCrop),
        (161, 119, 35, 35, ResizeMethod.Area, CropMode.CentreCrop),
        (161, 119, 96, 96, ResizeMethod.Bilinear, CropMode.CentreCrop),
        (161, 119, 35, 35, ResizeMethod.Nearest, CropMode.CentreCrop),
        (33, 47, 96, 64, ResizeMethod.Area, CropMode.CentreCrop),
        (97, 61, 64, 80, ResizeMethod.Area, CropMode.Squash),
        (320, 241, 48, 32, ResizeMethod.Area, CropMode.CentreCrop),
        (1, 1, 5, 3, ResizeMethod.Bilinear, CropMode.Squash),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void C_preprocessing_is_bit_identical_to_the_CSharp_definition(string build, CameraFormat format, ColorMode color)
    {
        var flags = CTools.HostBuilds.Single(b => b.Name == build).Flags;
        var exe = CTools.Compile($"preprocess-{build}", flags,
            Path.Combine(CTools.FirmwareDir, "host", "preprocess_main.c"), Path.Combine(CTools.FirmwareDir, "dnas_preprocess.c"));
        int seed = 17 * (int)format + 3 * (int)color;
        foreach (var g in Geometries)
        {
            var spec = new PreprocessSpec(g.Ow, g.Oh, color, g.Method, g.Crop);
            // Per-channel normalisation for RGB (one table per channel), a plain table for gray.
            var table = color == ColorMode.Rgb
                ? new QuantizeTable(0.0171, -3, new Normalization([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]))
                : new QuantizeTable(0.00784, -1);
            var frame = RandomFrame(format, g.Fw, g.Fh, seed++);
            var request = Request(format, g.Fw, g.Fh, spec, table, frame);
            var path = _dir.Write($"req-{g.Fw}x{g.Fh}-{g.Ow}x{g.Oh}.bin", request);
            var outPath = path + ".out";
            CTools.Run(exe, [path, outPath]);
            var got = File.ReadAllBytes(outPath);
            var image = CameraPixels.ToImage(frame, format, g.Fw, g.Fh, spec);
            var input = CameraPixels.ToInput(frame, format, g.Fw, g.Fh, spec, table);
            string what = $"{build} {format} {g.Fw}x{g.Fh} -> {spec}";
            Assert.True(got.Length == 2 * spec.Length, $"{what}: C wrote {got.Length} bytes, expected {2 * spec.Length}");
            AssertSame(image, got.AsSpan(0, spec.Length), what + " (uint8 image)");
            AssertSame((byte[])(Array)input, got.AsSpan(spec.Length), what + " (int8 input)");
        }
    }

    [Fact]
    public void Camera_pixel_rules_give_the_documented_values()
    {
        Span<byte> rgb = stackalloc byte[3];
        CameraPixels.Pixel(CameraFormat.Rgb565, [0xFF, 0xFF], 0, rgb);
        Assert.Equal([255, 255, 255], rgb.ToArray());
        CameraPixels.Pixel(CameraFormat.Rgb565, [0x00, 0xF8], 0, rgb);   // 0xF800: pure red
        Assert.Equal([255, 0, 0], rgb.ToArray());
        CameraPixels.Pixel(CameraFormat.Rgb565, [0xE0, 0x07], 0, rgb);   // 0x07E0: pure green
        Assert.Equal([0, 255, 0], rgb.ToArray());
        CameraPixels.YuvToRgb(16, 128, 128, rgb);
        Assert.Equal([0, 0, 0], rgb.ToArray());
        CameraPixels.YuvToRgb(235, 128, 128, rgb);
        Assert.Equal([255, 255, 255], rgb.ToArray());
        CameraPixels.YuvToRgb(126, 128, 128, rgb);  // mid gray: (298*110+128)>>8 = 128
        Assert.Equal([128, 128, 128], rgb.ToArray());
        // YUYV with an odd width: the last pixel is the first Y of a final half-used group.
        var frame = new byte[] { 16, 128, 235, 128, 126, 128, 0, 128 };
        Assert.Equal([0, 0, 0, 255, 255, 255, 128, 128, 128], CameraPixels.Decode(frame, CameraFormat.Yuyv, 3, 1));
    }

    private static byte[] RandomFrame(CameraFormat format, int w, int h, int seed)
    {
        var rng = new Random(seed);
        var frame = new byte[CameraPixels.FrameBytes(format, w, h)];
        rng.NextBytes(frame);
        // Smooth regions as well as noise, so the resize sees gradients, not only random bytes.
        for (int i = 0; i < frame.Length / 3; i++) frame[i] = (byte)(i * 7 / Math.Max(1, w));
        return frame;
    }

    private static byte[] Request(CameraFormat format, int fw, int fh, PreprocessSpec spec, QuantizeTable table, byte[] frame)
    {
        using var ms = new MemoryStream();
        using var bw = new BinaryWriter(ms);
        foreach (var v in new[] { (int)format, fw, fh, spec.Width, spec.Height, spec.Channels, (int)spec.Resize, spec.Crop == CropMode.CentreCrop ? 0 : 1, table.Channels })
            bw.Write(v);
        for (int c = 0; c < table.Channels; c++)
            foreach (var q in table.Table(c)) bw.Write(q);
        bw.Write(frame);
        bw.Flush();
        return ms.ToArray();
    }

    private static void AssertSame(byte[] expected, ReadOnlySpan<byte> actual, string what)
    {
        if (actual.SequenceEqual(expected)) return;
        Assert.True(actual.Length == expected.Length, $"{what}: C wrote {actual.Length} bytes, C# {expected.Length}");
        int first = 0;
        while (first < expected.Length && expected[first] == actual[first]) first++;
        int diff = 0;
        for (int i = 0; i < expected.Length; i++) if (expected[i] != actual[i]) diff++;
        Assert.Fail($"{what}: {diff} of {expected.Length} bytes differ; first at {first}: C# {expected[first]}, C {actual[first]}");
    }
}
