using System.Runtime.InteropServices;

namespace Dnas.Data.Images;

/// <summary>JPEG through libjpeg-turbo's TurboJPEG API (<c>libturbojpeg.so.0</c>, Debian package
/// <c>libturbojpeg0</c>), so the pixels are exactly what <c>djpeg</c> from the same library gives:
/// accurate integer IDCT, fancy upsampling. YCbCr, RGB and grayscale JPEGs are decoded to RGB
/// by the library; CMYK and YCCK ones (which TurboJPEG only decodes to CMYK) are converted here
/// the way djpeg's PPM writer does it, treating the stored values as Adobe-inverted:
/// <c>R = C·K/255, G = M·K/255, B = Y·K/255</c>, rounded.
/// <para>With a size hint the library's DCT scaling (1/8 … 1) produces a smaller image directly.
/// libjpeg errors and warnings are errors (truncation: "Premature end of JPEG file"; corrupt
/// entropy data: "bad Huffman code" ...), except a few harmless warnings such as extraneous bytes
/// before a marker, which cameras produce and after which the image is whole. Progressive files are
/// limited to 500 scans (TJFLAG_LIMITSCANS) against scan-flood denial of service. EXIF
/// orientation is not applied (djpeg does not apply it either).</para></summary>
internal static unsafe class JpegDecoder
{
    internal const string MissingLibraryMessage =
        "JPEG decoding needs libjpeg-turbo's TurboJPEG library: apt-get install libturbojpeg0";

    /// <summary>A JPEG can hardly encode more pixels per byte: baseline and progressive Huffman
    /// coding spend at least one bit per 8x8 luma block (512 pixels per byte); this leaves room
    /// for arithmetic coding. Guards against tiny files that claim huge dimensions.</summary>
    private const long MaxPixelsPerByte = 4096;

    /// <summary>libjpeg warnings after which the image is still whole (djpeg writes such images too).</summary>
    private static readonly string[] BenignWarnings =
    [
        "extraneous bytes before marker", "unknown JFIF revision", "Unknown Adobe color transform",
        "Invalid SOS parameters for sequential JPEG",
    ];

    private static readonly Lazy<string?> LoadProblem = new(() => ProbeLibrary(TurboJpeg.LibraryName));
    private static readonly Lazy<TurboJpeg.ScalingFactor[]> Factors = new(LoadScalingFactors);

    private static ImageDecodeException Error(string source, string problem, Exception? inner = null) =>
        new(source, ImageFormat.Jpeg, problem, inner);

    /// <summary>Null when the library loads and has the functions used here, else the message to show.</summary>
    internal static string? ProbeLibrary(string libraryName)
    {
        if (!NativeLibrary.TryLoad(libraryName, typeof(JpegDecoder).Assembly, null, out nint handle))
            return MissingLibraryMessage;
        try
        {
            foreach (var name in (string[])["tjInitDecompress", "tjDecompressHeader3", "tjGetScalingFactors", "tjDecompress2",
                         "tjGetErrorStr2", "tjDestroy"])
                if (!NativeLibrary.TryGetExport(handle, name, out _))
                    return $"{libraryName} lacks {name}: JPEG decoding needs libjpeg-turbo 2.0 or later's TurboJPEG library: apt-get install libturbojpeg0";
            return null;
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static TurboJpeg.ScalingFactor[] LoadScalingFactors()
    {
        int count;
        TurboJpeg.ScalingFactor* p = TurboJpeg.tjGetScalingFactors(&count);
        if (p == null || count <= 0) return [new TurboJpeg.ScalingFactor { Num = 1, Denom = 1 }];
        return new ReadOnlySpan<TurboJpeg.ScalingFactor>(p, count).ToArray();
    }

    /// <summary>TJSCALED: ceil(dimension·num/denom).</summary>
    private static int Scaled(int dimension, TurboJpeg.ScalingFactor f) => (int)(((long)dimension * f.Num + f.Denom - 1) / f.Denom);

    /// <summary>The smallest factor no larger than 1 whose shorter output side is still at least
    /// <paramref name="minSide"/>; 1/1 when there is no hint or the image is already small.</summary>
    internal static TurboJpeg.ScalingFactor ChooseScale(int width, int height, int minSide, ReadOnlySpan<TurboJpeg.ScalingFactor> factors)
    {
        var best = new TurboJpeg.ScalingFactor { Num = 1, Denom = 1 };
        if (minSide <= 0) return best;
        foreach (var f in factors)
        {
            if (f.Num <= 0 || f.Denom <= 0 || f.Num > f.Denom) continue;
            if (Math.Min(Scaled(width, f), Scaled(height, f)) < minSide) continue;
            if ((long)f.Num * best.Denom < (long)best.Num * f.Denom) best = f;
        }
        return best;
    }

    public static RgbImage Decode(ReadOnlySpan<byte> data, string source, int minSide)
    {
        if (LoadProblem.Value is { } problem) throw Error(source, problem);
        try
        {
            return DecodeWithLibrary(data, source, minSide);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw Error(source, MissingLibraryMessage + $" ({ex.Message})", ex);
        }
    }

    private static RgbImage DecodeWithLibrary(ReadOnlySpan<byte> data, string source, int minSide)
    {
        nint handle = TurboJpeg.tjInitDecompress();
        if (handle == 0) throw Error(source, $"TurboJPEG could not create a decompressor: {ErrorText(0)}");
        try
        {
            fixed (byte* jpeg = data)
            {
                var size = new CULong((nuint)data.Length);
                int width, height, subsampling, colorspace;
                if (TurboJpeg.tjDecompressHeader3(handle, jpeg, size, &width, &height, &subsampling, &colorspace) != 0)
                    throw Error(source, $"bad header: {ErrorText(handle)}");
                ImageDecoder.CheckDimensions(width, height, source, ImageFormat.Jpeg);
                if ((long)width * height > MaxPixelsPerByte * data.Length + (1 << 20))
                    throw Error(source, $"dimensions {width}x{height} are implausible for {data.Length} bytes of JPEG data (corrupt header?)");

                var scale = ChooseScale(width, height, minSide, Factors.Value);
                int w = Scaled(width, scale), h = Scaled(height, scale);
                bool cmyk = colorspace is TurboJpeg.TJCS_CMYK or TurboJpeg.TJCS_YCCK;
                var image = new RgbImage(w, h);
                byte[] target = cmyk ? new byte[(long)w * h * 4] : image.Pixels;
                int status;
                fixed (byte* dst = target)
                    status = TurboJpeg.tjDecompress2(handle, jpeg, size, dst, w, 0, h,
                        cmyk ? TurboJpeg.TJPF_CMYK : TurboJpeg.TJPF_RGB, TurboJpeg.TJFLAG_LIMITSCANS);
                if (status != 0)
                {
                    // tjGetErrorCode cannot tell a warning from an error that followed one (TurboJPEG 2.1
                    // reports TJERR_WARNING whenever any warning came first), so the message decides.
                    string text = ErrorText(handle);
                    if (text.Contains("Premature end", StringComparison.OrdinalIgnoreCase))
                        throw Error(source, $"truncated data: {text}");
                    if (!BenignWarnings.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)))
                        throw Error(source, $"corrupt data: {text}");
                }
                if (cmyk) CmykToRgb(target, image.Pixels);
                return image;
            }
        }
        finally
        {
            TurboJpeg.tjDestroy(handle);
        }
    }

    private static void CmykToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb)
    {
        int n = rgb.Length / 3;
        for (int i = 0; i < n; i++)
        {
            int k = cmyk[i * 4 + 3];
            rgb[i * 3] = (byte)((cmyk[i * 4] * k + 127) / 255);
            rgb[i * 3 + 1] = (byte)((cmyk[i * 4 + 1] * k + 127) / 255);
            rgb[i * 3 + 2] = (byte)((cmyk[i * 4 + 2] * k + 127) / 255);
        }
    }

    private static string ErrorText(nint handle)
    {
        nint p = TurboJpeg.tjGetErrorStr2(handle);
        string? text = p == 0 ? null : Marshal.PtrToStringUTF8(p);
        return string.IsNullOrWhiteSpace(text) ? "unknown TurboJPEG error" : text.Trim();
    }
}

/// <summary>The part of libjpeg-turbo's TurboJPEG 2.x C API the decoder uses (turbojpeg.h).</summary>
internal static unsafe partial class TurboJpeg
{
    internal const string LibraryName = "libturbojpeg.so.0";

    internal const int TJPF_RGB = 0, TJPF_CMYK = 11;
    internal const int TJCS_CMYK = 3, TJCS_YCCK = 4;
    internal const int TJFLAG_LIMITSCANS = 32768;

    [StructLayout(LayoutKind.Sequential)]
    internal struct ScalingFactor
    {
        public int Num, Denom;
        public override readonly string ToString() => $"{Num}/{Denom}";
    }

    [LibraryImport(LibraryName)]
    internal static partial nint tjInitDecompress();

    [LibraryImport(LibraryName)]
    internal static partial int tjDecompressHeader3(nint handle, byte* jpegBuf, CULong jpegSize,
        int* width, int* height, int* jpegSubsamp, int* jpegColorspace);

    [LibraryImport(LibraryName)]
    internal static partial ScalingFactor* tjGetScalingFactors(int* numScalingFactors);

    [LibraryImport(LibraryName)]
    internal static partial int tjDecompress2(nint handle, byte* jpegBuf, CULong jpegSize, byte* dstBuf,
        int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(LibraryName)]
    internal static partial nint tjGetErrorStr2(nint handle);

    [LibraryImport(LibraryName)]
    internal static partial int tjDestroy(nint handle);
}
