using System.Text;

namespace Dnas.Data.Images;

/// <summary>Decodes PNG, JPEG, BMP and Netpbm (P1–P6) images to <see cref="RgbImage"/>, choosing the
/// decoder by the magic bytes, never by the file name.
/// <list type="bullet">
/// <item>PNG, BMP and PNM are decoded in managed code (<see cref="PngDecoder"/>, <see cref="BmpDecoder"/>,
/// <see cref="PnmDecoder"/>); JPEG by libjpeg-turbo's TurboJPEG library through P/Invoke
/// (<see cref="JpegDecoder"/>; Debian package <c>libturbojpeg0</c>).</item>
/// <item>Grayscale comes out as R=G=B. Transparency (PNG alpha and tRNS) is composited onto
/// <see cref="ImageBackground"/>: <c>out = (c·a + bg·(255−a) + 127) / 255</c> on 8-bit values.
/// BMP alpha is ignored (most 32-bit BMPs carry none, or garbage).</item>
/// <item>16-bit PNG samples are reduced to 8 bits by taking the high byte (what libpng's
/// strip_16 and Pillow do); PNM samples with any maxval other than 255 are rescaled with
/// rounding, <c>(v·255 + maxval/2) / maxval</c> (what netpbm's pnmdepth does).</item>
/// <item>Every problem with the data is reported as an <see cref="ImageDecodeException"/>.
/// Sizes are checked against <see cref="MaxSide"/>, <see cref="MaxPixels"/> and the length of
/// the data before anything big is allocated.</item>
/// </list></summary>
public static class ImageDecoder
{
    /// <summary>Largest accepted width or height.</summary>
    public const int MaxSide = 32768;

    /// <summary>Largest accepted width·height (2^28; the RGB output is then 768 MiB).</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>Decodes an image held in memory.</summary>
    /// <param name="data">The whole encoded file.</param>
    /// <param name="sourceName">Names the data in error messages (a path or file name).</param>
    /// <param name="minSide">A size hint, 0 for none: a JPEG may be decoded with libjpeg-turbo's
    /// DCT scaling to the smallest supported scale (1/8 … 1) whose shorter side is still at
    /// least <paramref name="minSide"/>, which is much faster for big photos. The result is then
    /// smaller than the stored image. Other formats ignore the hint.</param>
    /// <param name="background">What transparent pixels are composited onto.</param>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string sourceName, int minSide = 0,
        ImageBackground background = ImageBackground.Black)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentOutOfRangeException.ThrowIfNegative(minSide);
        return DetectFormat(data) switch
        {
            ImageFormat.Png => PngDecoder.Decode(data, sourceName, background),
            ImageFormat.Jpeg => JpegDecoder.Decode(data, sourceName, minSide),
            ImageFormat.Bmp => BmpDecoder.Decode(data, sourceName),
            ImageFormat.Pnm => PnmDecoder.Decode(data, sourceName),
            _ => throw new ImageDecodeException(sourceName, ImageFormat.Unknown, DescribeUnknown(data)),
        };
    }

    /// <summary>Reads and decodes an image file; error messages name <paramref name="path"/>.
    /// A missing or unreadable file raises the usual <see cref="IOException"/> subclasses.</summary>
    public static RgbImage DecodeFile(string path, int minSide = 0, ImageBackground background = ImageBackground.Black)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(File.ReadAllBytes(path), path, minSide, background);
    }

    /// <summary>The format the data's magic bytes announce, or <see cref="ImageFormat.Unknown"/>.</summary>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 8 && data[..8].SequenceEqual(PngDecoder.Signature)) return ImageFormat.Png;
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat.Jpeg;
        if (data.Length >= 2 && data[0] == (byte)'B' && data[1] == (byte)'M') return ImageFormat.Bmp;
        if (data.Length >= 3 && data[0] == (byte)'P' && data[1] >= (byte)'1' && data[1] <= (byte)'6' && PnmDecoder.IsSpace(data[2]))
            return ImageFormat.Pnm;
        return ImageFormat.Unknown;
    }

    private static string DescribeUnknown(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return "empty data";
        var sb = new StringBuilder("unknown magic 0x");
        foreach (byte b in data[..Math.Min(8, data.Length)]) sb.Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        sb.Append(" (expected PNG, JPEG, BMP or PBM/PGM/PPM)");
        return sb.ToString();
    }

    /// <summary>Rejects sizes that are non-positive or beyond <see cref="MaxSide"/>/<see cref="MaxPixels"/>.</summary>
    internal static void CheckDimensions(long width, long height, string source, ImageFormat format)
    {
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException(source, format, $"invalid dimensions {width}x{height}");
        if (width > MaxSide || height > MaxSide)
            throw new ImageDecodeException(source, format, $"dimensions {width}x{height} exceed the limit of {MaxSide} pixels per side");
        if (width * height > MaxPixels)
            throw new ImageDecodeException(source, format, $"dimensions {width}x{height} exceed the limit of {MaxPixels} pixels");
    }

    /// <summary>Alpha compositing on 8-bit values, rounded to nearest (no ties are possible).</summary>
    internal static byte Composite(int c, int a, int bg) => (byte)((c * a + bg * (255 - a) + 127) / 255);
}
