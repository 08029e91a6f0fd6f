using Dnas.Data.Preprocess;

namespace Dnas.Firmware;

/// <summary>Pixel format of a camera frame handed to the firmware's preprocessing (the values
/// are those of <c>dnas_frame_format_t</c> in firmware/dnas_preprocess.h).</summary>
public enum CameraFormat
{
    /// <summary>One byte per pixel.</summary>
    Gray8 = 0,
    /// <summary>R, G, B bytes per pixel.</summary>
    Rgb888 = 1,
    /// <summary>Little-endian 16-bit words: R in bits 15..11, G in 10..5, B in 4..0.</summary>
    Rgb565 = 2,
    /// <summary>YUV 4:2:2 as Y0 U Y1 V per two pixels; a row of width W holds (W + 1) / 2 groups
    /// (an odd last pixel uses its group's first Y).</summary>
    Yuyv = 3,
}

/// <summary>The C# definition of what the firmware does to a camera frame before the model:
/// every pixel is decoded to RGB888 (or kept as gray for GRAY8) by the integer rules below, and
/// the result goes through the one preprocessing definition (<see cref="Preprocessor"/>: crop,
/// gray, resize, quantization table). firmware/dnas_preprocess.c computes the same bytes
/// without the intermediate frame (it decodes each pixel when the resize reads it).
/// <list type="bullet">
/// <item>RGB565: 5/6-bit fields widened by bit replication, <c>(r5 &lt;&lt; 3) | (r5 &gt;&gt; 2)</c>,
/// <c>(g6 &lt;&lt; 2) | (g6 &gt;&gt; 4)</c>, so 0 → 0 and full scale → 255.</item>
/// <item>YUYV: ITU-R BT.601 limited range in 8-bit fixed point, C = 298·(Y − 16) + 128,
/// D = U − 128, E = V − 128; R = (C + 409E) &gt;&gt; 8, G = (C − 100D − 208E) &gt;&gt; 8,
/// B = (C + 516D) &gt;&gt; 8, each clamped to 0..255 (negative sums give 0).</item>
/// </list></summary>
public static class CameraPixels
{
    /// <summary>Bytes of one frame row.</summary>
    public static int RowBytes(CameraFormat format, int width) => format switch
    {
        CameraFormat.Gray8 => width,
        CameraFormat.Rgb888 => checked(width * 3),
        CameraFormat.Rgb565 => checked(width * 2),
        CameraFormat.Yuyv => checked((width + 1) / 2 * 4),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown camera format"),
    };

    /// <summary>Bytes of a whole frame.</summary>
    public static long FrameBytes(CameraFormat format, int width, int height) => (long)RowBytes(format, width) * height;

    /// <summary>Channels of the decoded frame: 1 for GRAY8, 3 otherwise.</summary>
    public static int DecodedChannels(CameraFormat format) => format == CameraFormat.Gray8 ? 1 : 3;

    /// <summary>Decodes a camera frame to HWC bytes (gray for GRAY8, RGB888 otherwise).</summary>
    public static byte[] Decode(ReadOnlySpan<byte> frame, CameraFormat format, int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"camera frame size must be positive, got {width}x{height}");
        long need = FrameBytes(format, width, height);
        if (frame.Length < need)
            throw new ArgumentException($"a {width}x{height} {format} frame needs {need} bytes, got {frame.Length}", nameof(frame));
        int rowBytes = RowBytes(format, width), channels = DecodedChannels(format);
        var decoded = new byte[(long)width * height * channels];
        Span<byte> rgb = stackalloc byte[3];
        for (int y = 0; y < height; y++)
        {
            var row = frame.Slice(y * rowBytes, rowBytes);
            for (int x = 0; x < width; x++)
            {
                long at = ((long)y * width + x) * channels;
                if (format == CameraFormat.Gray8) { decoded[at] = row[x]; continue; }
                Pixel(format, row, x, rgb);
                decoded[at] = rgb[0];
                decoded[at + 1] = rgb[1];
                decoded[at + 2] = rgb[2];
            }
        }
        return decoded;
    }

    /// <summary>Pixel <paramref name="x"/> of a row of a colour format as R, G, B.</summary>
    public static void Pixel(CameraFormat format, ReadOnlySpan<byte> row, int x, Span<byte> rgb)
    {
        switch (format)
        {
            case CameraFormat.Gray8:
                rgb[0] = rgb[1] = rgb[2] = row[x];
                break;
            case CameraFormat.Rgb888:
                rgb[0] = row[3 * x]; rgb[1] = row[3 * x + 1]; rgb[2] = row[3 * x + 2];
                break;
            case CameraFormat.Rgb565:
            {
                int v = row[2 * x] | (row[2 * x + 1] << 8);
                int r = v >> 11, g = (v >> 5) & 63, b = v & 31;
                rgb[0] = (byte)((r << 3) | (r >> 2));
                rgb[1] = (byte)((g << 2) | (g >> 4));
                rgb[2] = (byte)((b << 3) | (b >> 2));
                break;
            }
            case CameraFormat.Yuyv:
            {
                int group = x / 2 * 4;
                YuvToRgb(row[group + (x & 1) * 2], row[group + 1], row[group + 3], rgb);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown camera format");
        }
    }

    /// <summary>BT.601 limited-range YUV to RGB, 8-bit fixed point (see the class summary).</summary>
    public static void YuvToRgb(int y, int u, int v, Span<byte> rgb)
    {
        int c = 298 * (y - 16) + 128, d = u - 128, e = v - 128;
        rgb[0] = Channel(c + 409 * e);
        rgb[1] = Channel(c - 100 * d - 208 * e);
        rgb[2] = Channel(c + 516 * d);
    }

    private static byte Channel(int sum) => sum < 0 ? (byte)0 : (byte)Math.Min(255, sum >> 8);

    /// <summary>Camera frame → uint8 model image (what dnas_preprocess_frame_u8 computes).</summary>
    public static byte[] ToImage(ReadOnlySpan<byte> frame, CameraFormat format, int width, int height, PreprocessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var decoded = Decode(frame, format, width, height);
        var image = new byte[spec.Length];
        new Preprocessor(spec).ToBytes(decoded, width, height, DecodedChannels(format), image);
        return image;
    }

    /// <summary>Camera frame → int8 model input (what dnas_preprocess_frame computes).</summary>
    public static sbyte[] ToInput(ReadOnlySpan<byte> frame, CameraFormat format, int width, int height, PreprocessSpec spec, QuantizeTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var image = ToImage(frame, format, width, height, spec);
        var input = new sbyte[image.Length];
        table.Apply(image, input, spec.Channels);
        return input;
    }
}
