using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Dnas.Data.Images;

/// <summary>A managed PNG decoder: every colour type (gray, RGB, palette, gray+alpha, RGBA), bit
/// depths 1/2/4/8/16, the five filters, Adam7 interlacing and tRNS. Every chunk's CRC is checked.
/// Rows are inflated and unfiltered one at a time straight into the RGB output, so memory stays
/// at the compressed data plus the output. Conversion rules:
/// <list type="bullet">
/// <item>gray at 1/2/4 bits is scaled to 0..255 exactly (×255, ×85, ×17);</item>
/// <item>16-bit samples keep their high byte (libpng's strip_16, Pillow); tRNS colour keys are
/// compared on the full 16-bit values;</item>
/// <item>alpha and tRNS are composited onto the background on 8-bit values,
/// <c>(c·a + bg·(255−a) + 127) / 255</c>;</item>
/// <item>a palette index beyond the palette gives opaque black (libpng only warns about it).</item>
/// </list>
/// Ancillary chunks other than tRNS (gamma, ICC profiles, text) are checked and ignored; an
/// unknown critical chunk is an error.</summary>
internal static class PngDecoder
{
    internal static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private const uint IHDR = 0x49484452, PLTE = 0x504C5445, IDAT = 0x49444154, IEND = 0x49454E44, TRNS = 0x74524E53;

    /// <summary>Deflate cannot expand data by more than 1032:1 (a 258-byte match in two bits).</summary>
    private const long MaxInflateRatio = 1032;

    // Adam7 passes: x0, y0, dx, dy.
    private static readonly int[] PassX0 = [0, 4, 0, 2, 0, 1, 0];
    private static readonly int[] PassY0 = [0, 0, 4, 0, 2, 0, 1];
    private static readonly int[] PassDx = [8, 8, 4, 4, 2, 2, 1];
    private static readonly int[] PassDy = [8, 8, 8, 4, 4, 2, 2];

    private sealed class Header
    {
        public int Width, Height, BitDepth, ColorType, Channels;
        public bool Interlaced;
        public int BitsPerPixel => Channels * BitDepth;
        public long RowBytes(long pixels) => (pixels * BitsPerPixel + 7) / 8;
    }

    /// <summary>What the pixel converter needs besides the header.</summary>
    private sealed class Colors
    {
        public byte[] Palette = [];      // RGB triplets
        public int PaletteCount;
        public byte[] PaletteAlpha = []; // one per palette entry, 255 when tRNS gives none
        public int KeyGray = -1;         // tRNS gray key (raw sample value), -1 = none
        public int KeyR = -1, KeyG = -1, KeyB = -1; // tRNS RGB key
        public int Background;           // 0 or 255
    }

    private static ImageDecodeException Error(string source, string problem, Exception? inner = null) =>
        new(source, ImageFormat.Png, problem, inner);

    public static RgbImage Decode(ReadOnlySpan<byte> data, string source, ImageBackground background)
    {
        Header? header = null;
        var colors = new Colors { Background = background == ImageBackground.White ? 255 : 0 };
        bool havePalette = false;
        byte[]? paletteAlpha = null;
        var idat = new List<(int Offset, int Length)>();
        long idatTotal = 0;
        bool idatClosed = false; // a non-IDAT chunk followed the IDATs

        int pos = Signature.Length;
        while (true)
        {
            if (pos == data.Length)
                throw Error(source, header == null ? "truncated file: no IHDR chunk" :
                    idat.Count == 0 ? "truncated file: no IDAT chunk" : "truncated file: no IEND chunk");
            if (data.Length - pos < 8) throw Error(source, $"truncated chunk header at offset {pos}");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 4)..]);
            ReadOnlySpan<byte> typeBytes = data.Slice(pos + 4, 4);
            foreach (byte c in typeBytes)
                if (!char.IsAsciiLetter((char)c))
                    throw Error(source, $"corrupt chunk header at offset {pos}: invalid chunk type 0x{type:X8}");
            string name = Encoding.ASCII.GetString(typeBytes);
            if (length > int.MaxValue) throw Error(source, $"corrupt {name} chunk at offset {pos}: length {length} is too large");
            if (data.Length - pos - 12L < length)
                throw Error(source, $"truncated {name} chunk at offset {pos}: needs {length + 12L} bytes, {data.Length - pos} left");
            ReadOnlySpan<byte> body = data.Slice(pos + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            uint computed = Crc32.Compute(data.Slice(pos + 4, (int)length + 4));
            if (stored != computed)
                throw Error(source, $"corrupt {name} chunk at offset {pos}: CRC mismatch (stored 0x{stored:X8}, computed 0x{computed:X8})");
            if (header == null && type != IHDR) throw Error(source, $"first chunk is {name}, expected IHDR");

            if (type != IDAT && idat.Count > 0) idatClosed = true;
            switch (type)
            {
                case IHDR:
                    if (header != null) throw Error(source, $"second IHDR chunk at offset {pos}");
                    header = ParseHeader(body, source);
                    break;
                case PLTE:
                    if (idat.Count > 0) throw Error(source, "PLTE chunk after IDAT");
                    if (havePalette) throw Error(source, "second PLTE chunk");
                    if (length == 0 || length % 3 != 0 || length > 768) throw Error(source, $"invalid PLTE chunk length {length}");
                    if (header!.ColorType is 0 or 4) throw Error(source, $"PLTE chunk in a colour type {header.ColorType} image");
                    colors.Palette = body.ToArray();
                    colors.PaletteCount = (int)length / 3;
                    havePalette = true;
                    break;
                case TRNS:
                    if (idat.Count > 0) break; // misplaced: ignored, as libpng does
                    switch (header!.ColorType)
                    {
                        case 0 when length == 2:
                            colors.KeyGray = BinaryPrimitives.ReadUInt16BigEndian(body);
                            break;
                        case 2 when length == 6:
                            colors.KeyR = BinaryPrimitives.ReadUInt16BigEndian(body);
                            colors.KeyG = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
                            colors.KeyB = BinaryPrimitives.ReadUInt16BigEndian(body[4..]);
                            break;
                        case 3 when length <= 256:
                            paletteAlpha = body.ToArray();
                            break;
                        default:
                            break; // invalid for this colour type: ignored, as libpng does
                    }
                    break;
                case IDAT:
                    if (idatClosed) throw Error(source, $"IDAT chunk at offset {pos} after other chunks followed the image data (IDAT chunks must be consecutive)");
                    if (header!.ColorType == 3 && !havePalette) throw Error(source, "palette image has no PLTE chunk before IDAT");
                    idat.Add((pos + 8, (int)length));
                    idatTotal += length;
                    break;
                case IEND:
                    if (idat.Count == 0) throw Error(source, "no IDAT chunk before IEND");
                    colors.PaletteAlpha = new byte[256];
                    colors.PaletteAlpha.AsSpan().Fill(255);
                    paletteAlpha?.AsSpan(0, Math.Min(paletteAlpha.Length, 256)).CopyTo(colors.PaletteAlpha);
                    return DecodeImage(data, idat, idatTotal, header!, colors, source);
                default:
                    if ((type & 0x20000000) == 0) // first letter upper case: critical
                        throw Error(source, $"unsupported critical chunk {name}");
                    break;
            }
            pos += 12 + (int)length;
        }
    }

    private static Header ParseHeader(ReadOnlySpan<byte> body, string source)
    {
        if (body.Length != 13) throw Error(source, $"invalid IHDR chunk length {body.Length}");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(body);
        uint h = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        ImageDecoder.CheckDimensions(w, h, source, ImageFormat.Png);
        int depth = body[8], colorType = body[9];
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0) throw Error(source, $"invalid colour type {colorType}");
        bool depthOk = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => depth is 8 or 16,
        };
        if (!depthOk) throw Error(source, $"invalid bit depth {depth} for colour type {colorType}");
        if (body[10] != 0) throw Error(source, $"unsupported compression method {body[10]}");
        if (body[11] != 0) throw Error(source, $"unsupported filter method {body[11]}");
        if (body[12] > 1) throw Error(source, $"unsupported interlace method {body[12]}");
        return new Header
        {
            Width = (int)w, Height = (int)h, BitDepth = depth, ColorType = colorType, Channels = channels,
            Interlaced = body[12] == 1,
        };
    }

    private static RgbImage DecodeImage(ReadOnlySpan<byte> data, List<(int Offset, int Length)> idat, long idatTotal,
        Header hdr, Colors colors, string source)
    {
        int passes = hdr.Interlaced ? 7 : 1;
        long expected = 0;
        for (int p = 0; p < passes; p++)
        {
            var (pw, ph) = PassSize(hdr, p);
            if (pw > 0 && ph > 0) expected += (long)ph * (1 + hdr.RowBytes(pw));
        }
        if (expected > idatTotal * MaxInflateRatio + 1024)
            throw Error(source, $"truncated IDAT: {idatTotal} bytes of compressed data cannot hold the {expected} bytes a {hdr.Width}x{hdr.Height} image needs");

        var compressed = new byte[idatTotal];
        int at = 0;
        foreach (var (offset, length) in idat)
        {
            data.Slice(offset, length).CopyTo(compressed.AsSpan(at));
            at += length;
        }

        var image = new RgbImage(hdr.Width, hdr.Height);
        int rowBytes = (int)hdr.RowBytes(hdr.Width);
        var line = new byte[rowBytes + 1];
        var prior = new byte[rowBytes];
        var rgb = hdr.Interlaced ? new byte[hdr.Width * 3] : null;
        int filterBpp = Math.Max(1, hdr.BitsPerPixel / 8);

        using var inflater = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        for (int p = 0; p < passes; p++)
        {
            var (pw, ph) = PassSize(hdr, p);
            if (pw == 0 || ph == 0) continue;
            int n = (int)hdr.RowBytes(pw);
            Span<byte> prev = prior.AsSpan(0, n);
            prev.Clear();
            for (int r = 0; r < ph; r++)
            {
                Span<byte> row = line.AsSpan(0, n + 1);
                ReadRow(inflater, row, source, hdr, p, r, ph);
                Span<byte> cur = row[1..];
                Unfilter(row[0], cur, prev, filterBpp, source, hdr, p, r);
                if (!hdr.Interlaced)
                {
                    ConvertRow(cur, pw, image.Row(r), hdr, colors);
                }
                else
                {
                    ConvertRow(cur, pw, rgb, hdr, colors);
                    int y = PassY0[p] + r * PassDy[p], x0 = PassX0[p], dx = PassDx[p];
                    Span<byte> dst = image.Row(y);
                    for (int i = 0; i < pw; i++)
                    {
                        int d = (x0 + i * dx) * 3;
                        dst[d] = rgb![i * 3];
                        dst[d + 1] = rgb[i * 3 + 1];
                        dst[d + 2] = rgb[i * 3 + 2];
                    }
                }
                cur.CopyTo(prev);
            }
        }
        // Read on to the end of the zlib stream so its Adler-32 is verified; data after it is ignored.
        try { inflater.ReadByte(); }
        catch (InvalidDataException ex) { throw Error(source, $"bad zlib data in IDAT after the last row: {ex.Message}", ex); }
        return image;
    }

    private static (int Width, int Height) PassSize(Header hdr, int pass)
    {
        if (!hdr.Interlaced) return (hdr.Width, hdr.Height);
        int w = (hdr.Width - PassX0[pass] + PassDx[pass] - 1) / PassDx[pass];
        int h = (hdr.Height - PassY0[pass] + PassDy[pass] - 1) / PassDy[pass];
        return (Math.Max(0, w), Math.Max(0, h));
    }

    private static string Where(Header hdr, int pass, int row, int rows) =>
        hdr.Interlaced ? $"row {row} of {rows} in Adam7 pass {pass + 1}" : $"row {row} of {rows}";

    private static void ReadRow(Stream inflater, Span<byte> row, string source, Header hdr, int pass, int r, int rows)
    {
        int got = 0;
        while (got < row.Length)
        {
            int k;
            try { k = inflater.Read(row[got..]); }
            catch (InvalidDataException ex) { throw Error(source, $"bad zlib data in IDAT at {Where(hdr, pass, r, rows)}: {ex.Message}", ex); }
            if (k == 0) throw Error(source, $"truncated IDAT: the image data ends at {Where(hdr, pass, r, rows)}");
            got += k;
        }
    }

    private static void Unfilter(byte filter, Span<byte> cur, ReadOnlySpan<byte> prev, int bpp, string source, Header hdr, int pass, int r)
    {
        int n = cur.Length;
        switch (filter)
        {
            case 0:
                break;
            case 1: // Sub
                for (int i = bpp; i < n; i++) cur[i] += cur[i - bpp];
                break;
            case 2: // Up
                for (int i = 0; i < n; i++) cur[i] += prev[i];
                break;
            case 3: // Average
                for (int i = 0; i < Math.Min(bpp, n); i++) cur[i] += (byte)(prev[i] >> 1);
                for (int i = bpp; i < n; i++) cur[i] += (byte)((cur[i - bpp] + prev[i]) >> 1);
                break;
            case 4: // Paeth
                for (int i = 0; i < Math.Min(bpp, n); i++) cur[i] += prev[i]; // Paeth(0, b, 0) = b
                for (int i = bpp; i < n; i++) cur[i] += Paeth(cur[i - bpp], prev[i], prev[i - bpp]);
                break;
            default:
                throw Error(source, $"invalid filter type {filter} at {Where(hdr, pass, r, PassSize(hdr, pass).Height)}");
        }
    }

    private static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return (byte)a;
        return pb <= pc ? (byte)b : (byte)c;
    }

    /// <summary>Converts <paramref name="count"/> unfiltered pixels to RGB, compositing transparency.</summary>
    private static void ConvertRow(ReadOnlySpan<byte> src, int count, Span<byte> dst, Header hdr, Colors colors)
    {
        int n = count, bg = colors.Background;
        switch (hdr.ColorType)
        {
            case 0 when hdr.BitDepth < 8:
            {
                int depth = hdr.BitDepth, mask = (1 << depth) - 1, scale = 255 / mask;
                for (int i = 0; i < n; i++)
                {
                    int bit = i * depth;
                    int s = (src[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
                    byte g = (byte)(s * scale);
                    if (s == colors.KeyGray) g = (byte)bg;
                    dst[i * 3] = dst[i * 3 + 1] = dst[i * 3 + 2] = g;
                }
                break;
            }
            case 0:
            {
                int step = hdr.BitDepth / 8;
                for (int i = 0; i < n; i++)
                {
                    int s = step == 1 ? src[i] : (src[2 * i] << 8) | src[2 * i + 1];
                    byte g = s == colors.KeyGray ? (byte)bg : src[i * step];
                    dst[i * 3] = dst[i * 3 + 1] = dst[i * 3 + 2] = g;
                }
                break;
            }
            case 2:
            {
                int step = hdr.BitDepth / 8;
                bool keyed = colors.KeyR >= 0;
                if (step == 1 && !keyed)
                {
                    src[..(n * 3)].CopyTo(dst);
                    break;
                }
                for (int i = 0; i < n; i++)
                {
                    int o = i * 3 * step;
                    int r, g, b;
                    if (step == 1) { r = src[o]; g = src[o + 1]; b = src[o + 2]; }
                    else { r = (src[o] << 8) | src[o + 1]; g = (src[o + 2] << 8) | src[o + 3]; b = (src[o + 4] << 8) | src[o + 5]; }
                    if (keyed && r == colors.KeyR && g == colors.KeyG && b == colors.KeyB)
                    {
                        dst[i * 3] = dst[i * 3 + 1] = dst[i * 3 + 2] = (byte)bg;
                    }
                    else
                    {
                        dst[i * 3] = src[o];
                        dst[i * 3 + 1] = src[o + step];
                        dst[i * 3 + 2] = src[o + 2 * step];
                    }
                }
                break;
            }
            case 3:
            {
                int depth = hdr.BitDepth, mask = (1 << depth) - 1;
                for (int i = 0; i < n; i++)
                {
                    int idx;
                    if (depth == 8) idx = src[i];
                    else
                    {
                        int bit = i * depth;
                        idx = (src[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
                    }
                    if (idx >= colors.PaletteCount)
                    {
                        dst[i * 3] = dst[i * 3 + 1] = dst[i * 3 + 2] = 0;
                        continue;
                    }
                    int a = colors.PaletteAlpha[idx];
                    byte r = colors.Palette[idx * 3], g = colors.Palette[idx * 3 + 1], b = colors.Palette[idx * 3 + 2];
                    if (a == 255)
                    {
                        dst[i * 3] = r; dst[i * 3 + 1] = g; dst[i * 3 + 2] = b;
                    }
                    else
                    {
                        dst[i * 3] = ImageDecoder.Composite(r, a, bg);
                        dst[i * 3 + 1] = ImageDecoder.Composite(g, a, bg);
                        dst[i * 3 + 2] = ImageDecoder.Composite(b, a, bg);
                    }
                }
                break;
            }
            case 4:
            {
                int step = hdr.BitDepth / 8;
                for (int i = 0; i < n; i++)
                {
                    int o = i * 2 * step;
                    byte g = ImageDecoder.Composite(src[o], src[o + step], bg);
                    dst[i * 3] = dst[i * 3 + 1] = dst[i * 3 + 2] = g;
                }
                break;
            }
            default: // 6
            {
                int step = hdr.BitDepth / 8;
                for (int i = 0; i < n; i++)
                {
                    int o = i * 4 * step;
                    int a = src[o + 3 * step];
                    dst[i * 3] = ImageDecoder.Composite(src[o], a, bg);
                    dst[i * 3 + 1] = ImageDecoder.Composite(src[o + step], a, bg);
                    dst[i * 3 + 2] = ImageDecoder.Composite(src[o + 2 * step], a, bg);
                }
                break;
            }
        }
    }
}
