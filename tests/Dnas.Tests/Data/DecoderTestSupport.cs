using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Dnas.Data.Images;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>A deliberately simple PNG writer for test fixtures, independent of the decoder: it writes
/// any colour type and bit depth from raw sample values, optionally Adam7-interlaced, with a
/// chosen filter per row (all five by default, cycling), PLTE/tRNS and extra chunks, and can split
/// the image data over several IDAT chunks. CRCs are computed bit by bit.</summary>
internal static class TestPng
{
    public static readonly (int ColorType, int Depth)[] AllFormats =
        [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)];

    public static int Channels(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Random raw samples (0..2^depth−1; palette indices below <paramref name="paletteSize"/>).</summary>
    public static int[] RandomSamples(int w, int h, int colorType, int depth, int seed, int paletteSize = 0)
    {
        var rng = new Random(seed);
        int ch = Channels(colorType);
        int max = colorType == 3 ? paletteSize : 1 << depth;
        var s = new int[w * h * ch];
        for (int i = 0; i < s.Length; i++) s[i] = rng.Next(max);
        // Make sure the extremes (fully transparent, fully opaque) occur.
        if (s.Length >= 2 * ch && colorType != 3)
        {
            for (int c = 0; c < ch; c++) { s[c] = 0; s[ch + c] = (1 << depth) - 1; }
        }
        return s;
    }

    public static byte[] RandomPalette(int entries, int seed)
    {
        var p = new byte[entries * 3];
        new Random(seed).NextBytes(p);
        return p;
    }

    public static byte[] Encode(int w, int h, int colorType, int depth, int[] samples, bool interlace = false,
        byte[]? plte = null, byte[]? trns = null, int idatChunk = 0, Func<int, int>? filterForRow = null,
        IEnumerable<(string Type, byte[] Body)>? extraBeforeIdat = null, IEnumerable<(string Type, byte[] Body)>? extraAfterIdat = null)
    {
        int ch = Channels(colorType);
        int bitsPP = ch * depth;
        int fbpp = Math.Max(1, bitsPP / 8);
        using var raw = new MemoryStream();
        int rowCounter = 0;
        var passes = interlace ? Adam7 : [(0, 0, 1, 1)];
        foreach (var (x0, y0, dx, dy) in passes)
        {
            int pw = w > x0 ? (w - x0 + dx - 1) / dx : 0;
            int ph = h > y0 ? (h - y0 + dy - 1) / dy : 0;
            if (pw == 0 || ph == 0) continue;
            int rowBytes = (pw * bitsPP + 7) / 8;
            var prev = new byte[rowBytes];
            for (int r = 0; r < ph; r++)
            {
                var line = new byte[rowBytes];
                int y = y0 + r * dy;
                for (int i = 0; i < pw; i++)
                {
                    int x = x0 + i * dx;
                    for (int c = 0; c < ch; c++)
                    {
                        int v = samples[(y * w + x) * ch + c];
                        int sampleIndex = i * ch + c;
                        if (depth == 16) { line[sampleIndex * 2] = (byte)(v >> 8); line[sampleIndex * 2 + 1] = (byte)v; }
                        else if (depth == 8) line[sampleIndex] = (byte)v;
                        else
                        {
                            int bit = sampleIndex * depth;
                            line[bit / 8] |= (byte)(v << (8 - depth - bit % 8));
                        }
                    }
                }
                int filter = filterForRow?.Invoke(rowCounter) ?? rowCounter % 5;
                rowCounter++;
                raw.WriteByte((byte)filter);
                for (int i = 0; i < rowBytes; i++)
                {
                    int a = i >= fbpp ? line[i - fbpp] : 0, b = prev[i], c = i >= fbpp ? prev[i - fbpp] : 0;
                    int pred = filter switch
                    {
                        0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                        _ => PaethPredictor(a, b, c),
                    };
                    raw.WriteByte((byte)(line[i] - pred));
                }
                prev = line;
            }
        }
        byte[] z = Zlib(raw.ToArray());

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = (byte)depth; ihdr[9] = (byte)colorType; ihdr[12] = (byte)(interlace ? 1 : 0);
        WriteChunk(png, "IHDR", ihdr);
        if (plte != null) WriteChunk(png, "PLTE", plte);
        if (trns != null) WriteChunk(png, "tRNS", trns);
        foreach (var (t, body) in extraBeforeIdat ?? []) WriteChunk(png, t, body);
        int step = idatChunk > 0 ? idatChunk : Math.Max(1, z.Length);
        for (int o = 0; o < z.Length; o += step) WriteChunk(png, "IDAT", z.AsSpan(o, Math.Min(step, z.Length - o)).ToArray());
        foreach (var (t, body) in extraAfterIdat ?? []) WriteChunk(png, t, body);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public static byte[] Zlib(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    public static void WriteChunk(Stream s, string type, byte[] body)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, body.Length);
        Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, BitwiseCrc([.. head.AsSpan(4), .. body]));
        s.Write(crc);
    }

    /// <summary>CRC-32 (PNG/zlib) the slow way, bit by bit.</summary>
    public static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (uint)-(int)(c & 1));
        }
        return ~c;
    }

    /// <summary>Recomputes the CRC of the chunk starting at <paramref name="offset"/> (after editing it).</summary>
    public static void FixCrc(byte[] png, int offset)
    {
        int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + len), BitwiseCrc(png.AsSpan(offset + 4, len + 4)));
    }

    /// <summary>Offsets of all chunks with their type.</summary>
    public static List<(int Offset, string Type, int Length)> Chunks(byte[] png)
    {
        var list = new List<(int, string, int)>();
        for (int pos = 8; pos + 12 <= png.Length;)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            if (len < 0 || pos + 12L + len > png.Length) break;
            list.Add((pos, Encoding.ASCII.GetString(png, pos + 4, 4), len));
            pos += 12 + len;
        }
        return list;
    }

    /// <summary>The RGB the documented conversion rules give: low-bit gray scaled exactly, 16-bit
    /// reduced to the high byte, tRNS keys compared on raw samples, alpha composited
    /// (c·a + bg·(255−a) + 127)/255 on 8-bit values, out-of-range palette indices black.</summary>
    public static byte[] Expected(int w, int h, int colorType, int depth, int[] samples, byte[]? plte, byte[]? trns, int bg)
    {
        int ch = Channels(colorType);
        var rgb = new byte[w * h * 3];
        int To8(int v) => depth == 16 ? v >> 8 : depth == 8 ? v : v * 255 / ((1 << depth) - 1);
        int Mix(int c, int a) => (c * a + bg * (255 - a) + 127) / 255;
        for (int p = 0; p < w * h; p++)
        {
            int r, g, b, a = 255;
            ReadOnlySpan<int> s = samples.AsSpan(p * ch, ch);
            switch (colorType)
            {
                case 0:
                    r = g = b = To8(s[0]);
                    if (trns != null && s[0] == BinaryPrimitives.ReadUInt16BigEndian(trns)) a = 0;
                    break;
                case 2:
                    (r, g, b) = (To8(s[0]), To8(s[1]), To8(s[2]));
                    if (trns != null && s[0] == BinaryPrimitives.ReadUInt16BigEndian(trns) &&
                        s[1] == BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(2)) && s[2] == BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(4)))
                        a = 0;
                    break;
                case 3:
                    if (s[0] * 3 >= plte!.Length) { r = g = b = 0; break; }
                    (r, g, b) = (plte[s[0] * 3], plte[s[0] * 3 + 1], plte[s[0] * 3 + 2]);
                    if (trns != null && s[0] < trns.Length) a = trns[s[0]];
                    break;
                case 4:
                    r = g = b = To8(s[0]);
                    a = To8(s[1]);
                    break;
                default:
                    (r, g, b, a) = (To8(s[0]), To8(s[1]), To8(s[2]), To8(s[3]));
                    break;
            }
            rgb[p * 3] = (byte)Mix(r, a);
            rgb[p * 3 + 1] = (byte)Mix(g, a);
            rgb[p * 3 + 2] = (byte)Mix(b, a);
        }
        return rgb;
    }
}

/// <summary>A BMP writer for test fixtures: any of 1/4/8 (palette), 24 and 32 bits, BI_RGB or
/// BI_BITFIELDS, BITMAPINFOHEADER/V4/V5 or the OS/2 core header, bottom-up or top-down.</summary>
internal static class TestBmp
{
    public static byte[] Encode(int w, int h, int bpp, byte[] rgb, int[]? indices = null, byte[]? palette = null,
        int headerSize = 40, bool topDown = false, uint compression = 0, uint[]? masks = null, int colorsUsed = 0, bool padLastRow = true)
    {
        bool core = headerSize == 12;
        int entry = core ? 3 : 4;
        int paletteEntries = bpp <= 8 ? (colorsUsed > 0 ? colorsUsed : 1 << bpp) : 0;
        int masksAfter = compression == 3 && headerSize == 40 ? 12 : 0;
        int stride = (w * bpp + 31) / 32 * 4;
        int offBits = 14 + headerSize + masksAfter + paletteEntries * entry;
        int size = offBits + stride * h - (padLastRow ? 0 : stride - (w * bpp + 7) / 8);
        var f = new byte[size];
        f[0] = (byte)'B'; f[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(10), offBits);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(14), headerSize);
        if (core)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(18), (ushort)w);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(20), (ushort)h);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(22), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(24), (ushort)bpp);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(18), w);
            BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(22), topDown ? -h : h);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(26), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(28), (ushort)bpp);
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(30), compression);
            BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(34), stride * h);
            BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(38), 2835);
            BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(42), 2835);
            BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(46), colorsUsed);
            if (masks != null)
            {
                int at = headerSize >= 52 ? 54 : 14 + headerSize;
                for (int i = 0; i < masks.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(at + 4 * i), masks[i]);
            }
        }
        for (int i = 0; i < paletteEntries && palette != null && i * 3 < palette.Length; i++)
        {
            int o = 14 + headerSize + masksAfter + i * entry;
            f[o] = palette[i * 3 + 2]; f[o + 1] = palette[i * 3 + 1]; f[o + 2] = palette[i * 3];
        }
        for (int y = 0; y < h; y++)
        {
            int fileRow = topDown ? y : h - 1 - y;
            int o = offBits + fileRow * stride;
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                switch (bpp)
                {
                    case 24: f[o + x * 3] = rgb[p * 3 + 2]; f[o + x * 3 + 1] = rgb[p * 3 + 1]; f[o + x * 3 + 2] = rgb[p * 3]; break;
                    case 32: f[o + x * 4] = rgb[p * 3 + 2]; f[o + x * 4 + 1] = rgb[p * 3 + 1]; f[o + x * 4 + 2] = rgb[p * 3]; f[o + x * 4 + 3] = (byte)(x * 37); break;
                    default:
                        int bit = x * bpp;
                        f[o + bit / 8] |= (byte)(indices![p] << (8 - bpp - bit % 8));
                        break;
                }
            }
        }
        return f;
    }
}

/// <summary>Netpbm writing (fixtures) and a minimal reader for reference outputs (djpeg, Pillow).</summary>
internal static class TestPnm
{
    /// <summary>Writes P1..P6 from raw samples (PBM: 1 = black); a comment goes after the magic.</summary>
    public static byte[] Encode(int kind, int w, int h, int maxval, int[] samples, string? comment = null)
    {
        var sb = new StringBuilder($"P{kind}\n");
        if (comment != null) sb.Append("# ").Append(comment).Append('\n');
        sb.Append(w).Append(' ').Append(h).Append('\n');
        if (kind is not (1 or 4)) sb.Append(maxval).Append('\n');
        using var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes(sb.ToString()));
        switch (kind)
        {
            case 1 or 2 or 3:
            {
                var text = new StringBuilder();
                for (int i = 0; i < samples.Length; i++)
                {
                    text.Append(samples[i]);
                    text.Append(i % 17 == 16 ? '\n' : ' ');
                }
                ms.Write(Encoding.ASCII.GetBytes(text.ToString()));
                break;
            }
            case 4:
            {
                int rowBytes = (w + 7) / 8;
                for (int y = 0; y < h; y++)
                {
                    var row = new byte[rowBytes];
                    for (int x = 0; x < w; x++) row[x / 8] |= (byte)(samples[y * w + x] << (7 - x % 8));
                    ms.Write(row);
                }
                break;
            }
            default:
                foreach (int v in samples)
                {
                    if (maxval > 255) ms.WriteByte((byte)(v >> 8));
                    ms.WriteByte((byte)v);
                }
                break;
        }
        return ms.ToArray();
    }

    /// <summary>Reads a P5/P6 file with maxval 255 (what djpeg and the Pillow script write) as RGB.</summary>
    public static (int Width, int Height, byte[] Rgb) ReadReference(byte[] f, string what)
    {
        int pos = 0;
        string Token()
        {
            while (pos < f.Length && (char.IsWhiteSpace((char)f[pos]) || f[pos] == '#'))
            {
                if (f[pos] == '#') while (pos < f.Length && f[pos] != '\n') pos++;
                else pos++;
            }
            int start = pos;
            while (pos < f.Length && !char.IsWhiteSpace((char)f[pos])) pos++;
            return Encoding.ASCII.GetString(f, start, pos - start);
        }
        string magic = Token();
        int w = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        int h = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        int max = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        pos++;
        Assert.True(max == 255 && magic is "P5" or "P6", $"{what}: unexpected reference output {magic} maxval {max}");
        var rgb = new byte[w * h * 3];
        if (magic == "P6") f.AsSpan(pos, rgb.Length).CopyTo(rgb);
        else for (int i = 0; i < w * h; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = f[pos + i];
        return (w, h, rgb);
    }
}

/// <summary>Runs the Debian tools the cross-checks need. A missing tool fails the test with the
/// package to install; it never skips silently.</summary>
internal static class DecoderTools
{
    public const string PythonPath = "/usr/bin/python3";

    public static string Require(string tool, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                     .Concat(["/usr/bin", "/bin"]))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        Assert.Fail($"{tool} is not installed: install the Debian package {package} (apt-get install {package}; bash scripts/setup.sh test installs every test dependency)");
        return "";
    }

    /// <summary>Runs a tool, returns its standard output; a non-zero exit fails the test.</summary>
    public static byte[] Run(string tool, string package, params string[] args)
    {
        string exe = tool == "python3" ? PythonPath : Require(tool, package);
        if (tool == "python3" && !File.Exists(PythonPath))
            Assert.Fail($"{PythonPath} is missing: install the Debian packages python3 and {package} (apt-get install {package})");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        using var stdout = new MemoryStream();
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(stdout);
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} {string.Join(' ', args)} did not finish within 120 s");
        }
        if (p.ExitCode != 0)
            Assert.Fail($"{tool} {string.Join(' ', args)} exited with {p.ExitCode}: {err.Result}");
        return stdout.ToArray();
    }

    /// <summary>Fails unless Debian's Pillow is importable by /usr/bin/python3.</summary>
    public static void RequirePillow()
    {
        if (!File.Exists(PythonPath)) Assert.Fail($"{PythonPath} is missing: install the Debian package python3-pil (apt-get install python3-pil)");
        var psi = new ProcessStartInfo(PythonPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import PIL.Image");
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"{PythonPath} cannot import PIL: install the Debian package python3-pil (apt-get install python3-pil)");
    }

    /// <summary>Pillow as the independent decoder: writes each input as a P6 PPM (&lt;index&gt;.ppm in
    /// <paramref name="outDir"/>). 16-bit gray keeps the high byte; anything with alpha or tRNS is
    /// composited onto <paramref name="background"/> with the same integer formula as the decoder.</summary>
    public static void PillowToPpm(string outDir, int background, IReadOnlyList<string> inputs)
    {
        RequirePillow();
        const string script = """
            import sys
            from PIL import Image
            out, bg = sys.argv[1], int(sys.argv[2])
            for i, path in enumerate(sys.argv[3:]):
                im = Image.open(path)
                im.load()
                w, h = im.size
                if im.mode in ('I', 'I;16', 'I;16B', 'I;16L', 'I;16N'):
                    rgb = bytes(b for v in im.getdata() for b in ((v >> 8) & 255,) * 3)
                elif im.mode in ('RGBA', 'LA', 'PA') or 'transparency' in im.info:
                    px = im.convert('RGBA').tobytes()
                    rgb = bytearray(w * h * 3)
                    for j in range(w * h):
                        a = px[4 * j + 3]
                        for c in range(3):
                            rgb[3 * j + c] = (px[4 * j + c] * a + bg * (255 - a) + 127) // 255
                    rgb = bytes(rgb)
                else:
                    rgb = im.convert('RGB').tobytes()
                with open('%s/%d.ppm' % (out, i), 'wb') as f:
                    f.write(b'P6\n%d %d\n255\n' % (w, h))
                    f.write(rgb)
            """;
        var scriptPath = Path.Combine(outDir, "pil_to_ppm.py");
        File.WriteAllText(scriptPath, script);
        Run("python3", "python3-pil", [scriptPath, outDir, background.ToString(System.Globalization.CultureInfo.InvariantCulture), .. inputs]);
    }

    /// <summary>The repository root (the directory holding DnasToolchain.sln).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DnasToolchain.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no DnasToolchain.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>Pixel comparison with a useful failure message.</summary>
internal static class PixelAssert
{
    public static void Equal(int w, int h, byte[] expected, RgbImage actual, string what)
    {
        Assert.True(actual.Width == w && actual.Height == h, $"{what}: size {actual.Width}x{actual.Height}, expected {w}x{h}");
        if (expected.AsSpan().SequenceEqual(actual.Pixels)) return;
        int diff = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual.Pixels[i]) { diff++; if (first < 0) first = i; }
        int p = first / 3;
        Assert.Fail($"{what}: {diff} of {expected.Length} bytes differ; first at pixel ({p % w},{p / w}) channel {first % 3}: " +
                    $"expected {expected[first]}, got {actual.Pixels[first]}");
    }
}
