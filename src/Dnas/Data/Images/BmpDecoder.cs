using System.Buffers.Binary;

namespace Dnas.Data.Images;

/// <summary>A managed BMP decoder for uncompressed Windows bitmaps: BITMAPINFOHEADER (40 bytes) and
/// its successors (52, 56, V4 108, V5 124 bytes), plus the OS/2 1.x BITMAPCOREHEADER (12 bytes);
/// 1/4/8-bit palette, 24-bit BGR and 32-bit BGRX (BI_RGB, or BI_BITFIELDS with the standard masks
/// R=0x00FF0000 G=0x0000FF00 B=0x000000FF); bottom-up (positive height) and top-down (negative
/// height) rows, each padded to 4 bytes. Alpha is ignored. A palette index beyond the palette
/// gives black. RLE, embedded JPEG/PNG, 16-bit and other masks are reported as unsupported.</summary>
internal static class BmpDecoder
{
    private const int FileHeaderSize = 14;

    private static ImageDecodeException Error(string source, string problem) => new(source, ImageFormat.Bmp, problem);

    public static RgbImage Decode(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length < FileHeaderSize + 4) throw Error(source, $"truncated file header ({data.Length} bytes)");
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);

        long width, height;
        int bpp;
        uint compression = 0, colorsUsed = 0;
        int paletteEntry = 4;
        bool topDown = false;
        if (headerSize == 12)
        {
            if (data.Length < FileHeaderSize + 12) throw Error(source, "truncated BITMAPCOREHEADER");
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[20..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(data[24..]);
            paletteEntry = 3;
        }
        else if (headerSize is 40 or 52 or 56 or 108 or 124)
        {
            if (data.Length < FileHeaderSize + headerSize) throw Error(source, $"truncated {headerSize}-byte info header");
            width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
            int h = BinaryPrimitives.ReadInt32LittleEndian(data[22..]);
            topDown = h < 0;
            height = Math.Abs((long)h);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
            colorsUsed = BinaryPrimitives.ReadUInt32LittleEndian(data[46..]);
        }
        else
        {
            throw Error(source, $"unsupported BMP header size {headerSize}");
        }
        ImageDecoder.CheckDimensions(width, height, source, ImageFormat.Bmp);
        if (bpp is not (1 or 4 or 8 or 24 or 32)) throw Error(source, $"unsupported BMP bit depth {bpp}");

        long afterHeader = FileHeaderSize + headerSize;
        switch (compression)
        {
            case 0: // BI_RGB
                break;
            case 3: // BI_BITFIELDS
            {
                if (bpp != 32) throw Error(source, $"unsupported BMP compression 3 (BI_BITFIELDS) at {bpp} bits per pixel");
                // Masks live in the header from 52 bytes on, else in 12 bytes right after it.
                long maskAt = headerSize >= 52 ? FileHeaderSize + 40 : afterHeader;
                if (headerSize < 52) afterHeader += 12;
                if (data.Length < maskAt + 12) throw Error(source, "truncated BI_BITFIELDS masks");
                uint r = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)maskAt..]);
                uint g = BinaryPrimitives.ReadUInt32LittleEndian(data[((int)maskAt + 4)..]);
                uint b = BinaryPrimitives.ReadUInt32LittleEndian(data[((int)maskAt + 8)..]);
                if (r != 0x00FF0000 || g != 0x0000FF00 || b != 0x000000FF)
                    throw Error(source, $"unsupported BMP compression 3 (BI_BITFIELDS) with masks R=0x{r:X8} G=0x{g:X8} B=0x{b:X8}; only R=0x00FF0000 G=0x0000FF00 B=0x000000FF is supported");
                break;
            }
            default:
                string what = compression switch
                {
                    1 => " (RLE8)", 2 => " (RLE4)", 4 => " (embedded JPEG)", 5 => " (embedded PNG)", 6 => " (BI_ALPHABITFIELDS)", _ => "",
                };
                throw Error(source, $"unsupported BMP compression {compression}{what}");
        }

        if (pixelOffset > data.Length)
            throw Error(source, $"truncated file: pixel data offset {pixelOffset} is beyond its {data.Length} bytes");
        if (pixelOffset < afterHeader)
            throw Error(source, $"pixel data offset {pixelOffset} points into the header (which ends at {afterHeader})");

        byte[] palette = [];
        int paletteCount = 0;
        if (bpp <= 8)
        {
            long max = 1L << bpp;
            long wanted = colorsUsed == 0 || colorsUsed > max ? max : colorsUsed;
            long room = (pixelOffset - afterHeader) / paletteEntry;
            paletteCount = (int)Math.Min(wanted, room);
            if (paletteCount == 0) throw Error(source, $"{bpp}-bit image without a palette");
            palette = new byte[paletteCount * 3];
            for (int i = 0; i < paletteCount; i++)
            {
                int o = (int)afterHeader + i * paletteEntry; // stored B, G, R(, reserved)
                palette[i * 3] = data[o + 2];
                palette[i * 3 + 1] = data[o + 1];
                palette[i * 3 + 2] = data[o];
            }
        }

        long stride = (width * bpp + 31) / 32 * 4;
        long lastRow = (width * bpp + 7) / 8; // the last row's padding may be missing
        long needed = stride * (height - 1) + lastRow;
        if (data.Length - pixelOffset < needed)
            throw Error(source, $"truncated pixel data: {width}x{height} at {bpp} bits needs {needed} bytes from offset {pixelOffset}, the file has {data.Length - pixelOffset}");

        int w = (int)width, hgt = (int)height;
        var image = new RgbImage(w, hgt);
        for (int fileRow = 0; fileRow < hgt; fileRow++)
        {
            int y = topDown ? fileRow : hgt - 1 - fileRow;
            ReadOnlySpan<byte> src = data.Slice((int)(pixelOffset + fileRow * stride), (int)lastRow);
            Span<byte> dst = image.Row(y);
            switch (bpp)
            {
                case 24:
                    for (int x = 0; x < w; x++)
                    {
                        dst[x * 3] = src[x * 3 + 2];
                        dst[x * 3 + 1] = src[x * 3 + 1];
                        dst[x * 3 + 2] = src[x * 3];
                    }
                    break;
                case 32:
                    for (int x = 0; x < w; x++)
                    {
                        dst[x * 3] = src[x * 4 + 2];
                        dst[x * 3 + 1] = src[x * 4 + 1];
                        dst[x * 3 + 2] = src[x * 4];
                    }
                    break;
                default:
                {
                    int mask = (1 << bpp) - 1;
                    for (int x = 0; x < w; x++)
                    {
                        int bit = x * bpp;
                        int idx = (src[bit >> 3] >> (8 - bpp - (bit & 7))) & mask;
                        if (idx < paletteCount)
                        {
                            dst[x * 3] = palette[idx * 3];
                            dst[x * 3 + 1] = palette[idx * 3 + 1];
                            dst[x * 3 + 2] = palette[idx * 3 + 2];
                        }
                        else
                        {
                            dst[x * 3] = dst[x * 3 + 1] = dst[x * 3 + 2] = 0;
                        }
                    }
                    break;
                }
            }
        }
        return image;
    }
}
