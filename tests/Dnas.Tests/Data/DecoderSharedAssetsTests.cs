using Dnas.Data.Images;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>Every real photo in <c>&lt;repo root&gt;/../shared/data/photos</c> (JPEG, PNG, BMP of mixed
/// sizes), decoded and compared pixel-exactly with an independent decoder: djpeg (same
/// libjpeg-turbo, so exact) for JPEG, Debian's Pillow for PNG and BMP. CI always has the
/// directory; when it is absent these tests fail with "SHARED ASSET MISSING:". Exclude them
/// explicitly with <c>--filter "Category!=SharedAssets"</c>.</summary>
[Trait("Category", "SharedAssets")]
public sealed class DecoderSharedAssetsTests : IDisposable
{
    private readonly TempDir _temp = new();
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    private static string PhotosDirectory() => SharedAssets.Path("data", "photos");

    private static List<string> Files(params string[] extensions)
    {
        var files = Directory.EnumerateFiles(PhotosDirectory(), "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 0, $"SHARED ASSET MISSING: no {string.Join('/', extensions)} files under {PhotosDirectory()}");
        return files;
    }

    private static void Report(List<string> failures, int total, string what)
    {
        if (failures.Count > 0)
            Assert.Fail($"{failures.Count} of {total} {what} files failed:\n" + string.Join('\n', failures));
    }

    private static string? Compare((int W, int H, byte[] Rgb) reference, RgbImage ours, string name)
    {
        if (ours.Width != reference.W || ours.Height != reference.H)
            return $"{name}: {ours.Width}x{ours.Height}, reference {reference.W}x{reference.H}";
        if (ours.Pixels.AsSpan().SequenceEqual(reference.Rgb)) return null;
        int diff = 0;
        for (int i = 0; i < reference.Rgb.Length; i++) if (ours.Pixels[i] != reference.Rgb[i]) diff++;
        return $"{name}: {diff} of {reference.Rgb.Length} bytes differ";
    }

    [Fact]
    public void JpegPhotosMatchDjpeg()
    {
        var files = Files(".jpg", ".jpeg");
        var failures = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(PhotosDirectory(), file);
            try
            {
                var reference = TestPnm.ReadReference(DecoderTools.Run("djpeg", "libjpeg-turbo-progs", "-pnm", file), name);
                if (Compare(reference, ImageDecoder.DecodeFile(file), name) is { } problem) failures.Add(problem);
            }
            catch (ImageDecodeException ex)
            {
                failures.Add(ex.Message);
            }
        }
        Report(failures, files.Count, "JPEG");
    }

    [Fact]
    public void ScaledJpegPhotosMatchDjpegScale()
    {
        // The largest photos, where DCT scaling matters; minSide 224 is a typical network input.
        var files = Files(".jpg", ".jpeg").OrderByDescending(f => new FileInfo(f).Length).Take(4).ToList();
        var failures = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(PhotosDirectory(), file);
            var full = ImageDecoder.DecodeFile(file, 0);
            var scaled = ImageDecoder.DecodeFile(file, 224);
            int n = 8;
            for (int k = 1; k <= 8; k++)
                if (Math.Min((full.Width * k + 7) / 8, (full.Height * k + 7) / 8) >= 224) { n = k; break; }
            var reference = TestPnm.ReadReference(DecoderTools.Run("djpeg", "libjpeg-turbo-progs", "-scale", $"{n}/8", "-pnm", file), name);
            if (Compare(reference, scaled, $"{name} at {n}/8") is { } problem) failures.Add(problem);
            if (Math.Min(scaled.Width, scaled.Height) < 224 && Math.Min(full.Width, full.Height) >= 224)
                failures.Add($"{name}: scaled to {scaled.Width}x{scaled.Height}, below minSide 224");
        }
        Report(failures, files.Count, "scaled JPEG");
    }

    [Fact]
    public void PngAndBmpPhotosMatchPillow()
    {
        var files = Files(".png", ".bmp");
        var outDir = Path.Combine(_dir, "pil");
        Directory.CreateDirectory(outDir);
        DecoderTools.PillowToPpm(outDir, 0, files);
        var failures = new List<string>();
        for (int i = 0; i < files.Count; i++)
        {
            var name = Path.GetRelativePath(PhotosDirectory(), files[i]);
            try
            {
                var reference = TestPnm.ReadReference(File.ReadAllBytes(Path.Combine(outDir, $"{i}.ppm")), name);
                if (Compare(reference, ImageDecoder.DecodeFile(files[i]), name) is { } problem) failures.Add(problem);
            }
            catch (ImageDecodeException ex)
            {
                failures.Add(ex.Message);
            }
        }
        Report(failures, files.Count, "PNG/BMP");
    }
}
