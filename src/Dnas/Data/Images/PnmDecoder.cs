namespace Dnas.Data.Images;

/// <summary>A managed Netpbm decoder: PBM (P1 plain, P4 raw), PGM (P2, P5) and PPM (P3, P6), with
/// '#' comments in the header, maxval 1..65535 (two big-endian bytes per raw sample above 255).
/// Samples are rescaled to 0..255 with rounding, <c>(v·255 + maxval/2) / maxval</c>, as netpbm's
/// pnmdepth does; PBM 1 is black. A sample above maxval is an error. Only the first image of a
/// multi-image file is read.</summary>
internal static class PnmDecoder
{
    private static ImageDecodeException Error(string source, string problem) => new(source, ImageFormat.Pnm, problem);

    internal static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    public static RgbImage Decode(ReadOnlySpan<byte> data, string source)
    {
        int kind = data[1] - '0';
        int pos = 2;
        long width = ReadHeaderNumber(data, ref pos, "width", source);
        long height = ReadHeaderNumber(data, ref pos, "height", source);
        ImageDecoder.CheckDimensions(width, height, source, ImageFormat.Pnm);
        int maxval = 1;
        if (kind is not (1 or 4))
        {
            long m = ReadHeaderNumber(data, ref pos, "maxval", source);
            if (m < 1 || m > 65535) throw Error(source, $"maxval {m} is outside 1..65535");
            maxval = (int)m;
        }
        int w = (int)width, h = (int)height;
        int channels = kind is 3 or 6 ? 3 : 1;
        long samples = width * height * channels;
        bool raw = kind >= 4;
        if (raw)
        {
            if (pos >= data.Length) throw Error(source, "truncated raster: the file ends after the header");
            if (!IsSpace(data[pos])) throw Error(source, $"bad header: byte 0x{data[pos]:X2} at offset {pos} where the single whitespace before the raster belongs");
            pos++; // the single whitespace byte that ends the header (ReadHeaderNumber stopped on it)
        }

        // Size checks before allocating: raw rasters have an exact size; plain ones need at least
        // one byte per PBM sample and two (digit and separator) per PGM/PPM sample, bar the last.
        long remaining = data.Length - pos;
        long needed = kind switch
        {
            4 => (width + 7) / 8 * height,
            5 or 6 => samples * (maxval > 255 ? 2 : 1),
            1 => samples,
            _ => 2 * samples - 1,
        };
        if (remaining < needed)
            throw Error(source, $"truncated raster: a {width}x{height} P{kind} image with maxval {maxval} needs {(raw ? "" : "at least ")}{needed} bytes, {remaining} left");

        var lut = new byte[maxval + 1];
        for (int v = 0; v <= maxval; v++) lut[v] = (byte)((v * 255L + maxval / 2) / maxval);

        var image = new RgbImage(w, h);
        byte[] px = image.Pixels;
        switch (kind)
        {
            case 4:
            {
                int rowBytes = (w + 7) / 8;
                for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int bit = (data[pos + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
                    byte g = bit == 1 ? (byte)0 : (byte)255;
                    int o = (y * w + x) * 3;
                    px[o] = px[o + 1] = px[o + 2] = g;
                }
                break;
            }
            case 5 or 6:
            {
                bool wide = maxval > 255;
                int n = (int)samples;
                for (int i = 0; i < n; i++)
                {
                    int v = wide ? (data[pos + 2 * i] << 8) | data[pos + 2 * i + 1] : data[pos + i];
                    if (v > maxval) throw Error(source, $"sample {v} at pixel {i / channels} exceeds maxval {maxval}");
                    Store(px, i, channels, lut[v]);
                }
                break;
            }
            case 1:
            {
                int n = (int)samples;
                for (int i = 0; i < n; i++)
                {
                    SkipSpaceAndComments(data, ref pos);
                    if (pos >= data.Length) throw Error(source, $"truncated raster: {i} of {n} samples present");
                    byte c = data[pos++];
                    if (c != '0' && c != '1') throw Error(source, $"invalid character 0x{c:X2} in plain PBM raster at sample {i}");
                    Store(px, i, 1, c == '1' ? (byte)0 : (byte)255);
                }
                break;
            }
            default: // 2, 3: plain decimal samples
            {
                int n = (int)samples;
                for (int i = 0; i < n; i++)
                {
                    SkipSpaceAndComments(data, ref pos);
                    if (pos >= data.Length) throw Error(source, $"truncated raster: {i} of {n} samples present");
                    long v = 0;
                    int start = pos;
                    while (pos < data.Length && data[pos] >= '0' && data[pos] <= '9' && v <= maxval)
                        v = v * 10 + (data[pos++] - '0');
                    if (pos == start) throw Error(source, $"invalid character 0x{data[pos]:X2} in plain raster at sample {i}");
                    if (v > maxval) throw Error(source, $"sample at pixel {i / channels} exceeds maxval {maxval}");
                    Store(px, i, channels, lut[v]);
                }
                break;
            }
        }
        return image;
    }

    private static void Store(byte[] px, int sample, int channels, byte value)
    {
        if (channels == 3) px[sample] = value;
        else px[sample * 3] = px[sample * 3 + 1] = px[sample * 3 + 2] = value;
    }

    private static void SkipSpaceAndComments(ReadOnlySpan<byte> data, ref int pos)
    {
        while (pos < data.Length)
        {
            if (IsSpace(data[pos])) pos++;
            else if (data[pos] == '#')
            {
                while (pos < data.Length && data[pos] != '\n' && data[pos] != '\r') pos++;
            }
            else break;
        }
    }

    /// <summary>Reads one decimal header field, skipping whitespace and comments before it. Stops on
    /// the byte after the digits, which must be whitespace or a comment.</summary>
    private static long ReadHeaderNumber(ReadOnlySpan<byte> data, ref int pos, string what, string source)
    {
        SkipSpaceAndComments(data, ref pos);
        if (pos >= data.Length) throw Error(source, $"truncated header: the file ends before the {what}");
        if (data[pos] < '0' || data[pos] > '9') throw Error(source, $"bad header: expected the {what}, found byte 0x{data[pos]:X2} at offset {pos}");
        long v = 0;
        while (pos < data.Length && data[pos] >= '0' && data[pos] <= '9')
        {
            v = v * 10 + (data[pos++] - '0');
            if (v > int.MaxValue) throw Error(source, $"bad header: the {what} is too large");
        }
        if (pos >= data.Length) throw Error(source, $"truncated header: the file ends after the {what}");
        if (!IsSpace(data[pos]) && data[pos] != '#')
            throw Error(source, $"bad header: unexpected byte 0x{data[pos]:X2} after the {what} at offset {pos}");
        return v;
    }
}
