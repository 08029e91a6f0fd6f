using Dnas.Data.Synthetic;

namespace Dnas.Bench;

/// <summary>Writes sample synthetic images for a person to look at (`Dnas.Bench synthetic-samples
/// --out DIR [--seed N]`): binary PPM files (convert with e.g. pnmtopng) — a contact sheet at
/// 96x96, one at 32x32 (shown 3x), one at 128x64, and one person and one no-person image at 96x96.
/// Sheets frame person images green and no-person images red.</summary>
public static class SyntheticSamples
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        string dir = args.String("out", "synthetic-samples");
        int seed = args.Int("seed", 1, min: 0);
        args.Finish();
        Directory.CreateDirectory(dir);
        var s = new SyntheticScenes(seed);
        Sheet(s, Path.Combine(dir, "sheet_96.ppm"), 96, 96, 1, 8, 5);
        Sheet(s, Path.Combine(dir, "sheet_32.ppm"), 32, 32, 3, 8, 5);
        Sheet(s, Path.Combine(dir, "sheet_wide.ppm"), 128, 64, 1, 4, 4);
        long person = 0, none = 0;
        while (s.Label(person) != SyntheticScenes.PersonLabel) person++;
        while (s.Label(none) == SyntheticScenes.PersonLabel) none++;
        WritePpm(Path.Combine(dir, "person_96.ppm"), s.Render(person, 96, 96).Pixels, 96, 96);
        WritePpm(Path.Combine(dir, "no_person_96.ppm"), s.Render(none, 96, 96).Pixels, 96, 96);
        output.WriteLine($"wrote sheet_96.ppm, sheet_32.ppm, sheet_wide.ppm, person_96.ppm, no_person_96.ppm to {Path.GetFullPath(dir)}");
        return 0;
    }

    /// <summary>A grid of images, each framed green (person) or red (no person), scaled up by an integer factor.</summary>
    private static void Sheet(SyntheticScenes s, string path, int w, int h, int zoom, int cols, int rows)
    {
        const int border = 2;
        int cw = w * zoom + 2 * border, ch = h * zoom + 2 * border;
        int sw = cols * cw, sh = rows * ch;
        var sheet = new byte[sw * sh * 3];
        for (int k = 0; k < cols * rows; k++)
        {
            var img = s.Render(k, w, h).Pixels;
            bool person = s.Label(k) == SyntheticScenes.PersonLabel;
            int ox = (k % cols) * cw, oy = (k / cols) * ch;
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++)
                {
                    int o = ((oy + y) * sw + ox + x) * 3;
                    int ix = x - border, iy = y - border;
                    if (ix < 0 || iy < 0 || ix >= w * zoom || iy >= h * zoom)
                    {
                        sheet[o] = (byte)(person ? 40 : 220);
                        sheet[o + 1] = (byte)(person ? 200 : 40);
                        sheet[o + 2] = 40;
                        continue;
                    }
                    int p = ((iy / zoom) * w + ix / zoom) * 3;
                    sheet[o] = img[p]; sheet[o + 1] = img[p + 1]; sheet[o + 2] = img[p + 2];
                }
        }
        WritePpm(path, sheet, sw, sh);
    }

    private static void WritePpm(string path, byte[] rgb, int w, int h)
    {
        using var f = File.Create(path);
        f.Write(System.Text.Encoding.ASCII.GetBytes($"P6\n{w} {h}\n255\n"));
        f.Write(rgb);
    }
}
