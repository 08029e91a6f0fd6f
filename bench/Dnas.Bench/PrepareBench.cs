using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dnas.Data.Sources;
using Dnas.Data.Store;
using Dnas.Engine;

namespace Dnas.Bench;

/// <summary><c>prepare</c>: throughput of building the prepared store from JPEG photos.
/// Generates (once, cached in a temp folder) an image folder of <c>--images</c> JPEGs of
/// <c>--width</c> x <c>--height</c> at <c>--quality</c> (cjpeg from libjpeg-turbo-progs on
/// generated PPMs with structure and noise, not flat colour), half person, half no_person, then
/// times <c>--rounds</c> fresh builds of the store at <c>--resolution</c> (decode with DCT
/// scaling, centre crop, area resize, write) and prints one JSON line:
/// {"bench":"prepare","images":..,"source":"640x480 jpeg q90","resolution":224,"threads":..,
/// "seconds":..,"images_per_s":..,"load_avg_1m":..,"peak_rss_mb":..} (seconds: median round).</summary>
public static class PrepareBench
{
    public static int Run(BenchArgs args, TextWriter output)
    {
        int images = args.Int("images", 2000, 2);
        int width = args.Int("width", 640, 16);
        int height = args.Int("height", 480, 16);
        int quality = args.Int("quality", 90, 1);
        int resolution = args.Int("resolution", 224, 8);
        int rounds = args.Int("rounds", 1, 1);
        string cache = args.String("dir", Path.Combine(Path.GetTempPath(), $"dnas-prepare-bench-{images}-{width}x{height}-q{quality}"));
        args.Finish();

        string folder = EnsureImages(cache, images, width, height, quality);
        double load = LoadAverage();
        var seconds = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            string store = Path.Combine(Path.GetTempPath(), $"dnas-prepare-bench-store-{Guid.NewGuid():N}");
            try
            {
                var clock = Stopwatch.StartNew();
                var result = StoreBuilder.Prepare(new ImageFolderSource(folder), new StoreSettings(resolution), store);
                clock.Stop();
                if (result.Index.Count != images)
                    throw new InvalidOperationException($"stored {result.Index.Count} of {images} images ({result.Index.Bad.Count} bad)");
                seconds.Add(clock.Elapsed.TotalSeconds);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"prepare round {round + 1}/{rounds}: {clock.Elapsed.TotalSeconds:0.00} s, {images / clock.Elapsed.TotalSeconds:0} images/s"));
            }
            finally
            {
                if (Directory.Exists(store)) Directory.Delete(store, recursive: true);
            }
        }
        seconds.Sort();
        double median = seconds[seconds.Count / 2];
        output.WriteLine(Report.JsonLine(
        [
            ("bench", "prepare"),
            ("images", images),
            ("source", $"{width}x{height} jpeg q{quality}"),
            ("resolution", resolution),
            ("threads", Workers.Threads),
            ("seconds", median),
            ("images_per_s", images / median),
            ("load_avg_1m", load),
            ("peak_rss_mb", Report.PeakRssMb()),
        ]));
        return 0;
    }

    private static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }

    /// <summary>The cached image folder, generated when its completion marker is missing.</summary>
    private static string EnsureImages(string cache, int images, int width, int height, int quality)
    {
        string folder = Path.Combine(cache, "images");
        string marker = Path.Combine(cache, "complete");
        if (File.Exists(marker)) return folder;
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        Directory.CreateDirectory(Path.Combine(folder, "person"));
        Directory.CreateDirectory(Path.Combine(folder, "no_person"));
        string cjpeg = FindTool("cjpeg");
        var clock = Stopwatch.StartNew();
        int done = 0;
        Parallel.For(0, images, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i =>
        {
            var ppm = Ppm(width, height, i);
            var jpeg = RunTool(cjpeg, ppm, "-quality", quality.ToString(CultureInfo.InvariantCulture));
            string cls = i % 2 == 0 ? "person" : "no_person";
            File.WriteAllBytes(Path.Combine(folder, cls, $"{i:D5}.jpg"), jpeg);
            int n = Interlocked.Increment(ref done);
            if (n % 500 == 0) Console.Error.WriteLine($"generated {n}/{images} JPEGs");
        });
        File.WriteAllText(marker, "");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {images} JPEGs in {clock.Elapsed.TotalSeconds:0.0} s into {folder}"));
        return folder;
    }

    /// <summary>A photo-like PPM: smooth colour fields, a few shapes, edges and noise.</summary>
    private static byte[] Ppm(int w, int h, int seed)
    {
        var rng = new Rng((ulong)seed + 1);
        var header = Encoding.ASCII.GetBytes($"P6\n{w} {h}\n255\n");
        var data = new byte[header.Length + w * h * 3];
        header.CopyTo(data, 0);
        double fx = 2 + 6 * rng.NextDouble(), fy = 2 + 6 * rng.NextDouble(), phase = 6.28 * rng.NextDouble();
        var shapes = new (int X, int Y, int R, byte Cr, byte Cg, byte Cb)[6];
        for (int s = 0; s < shapes.Length; s++)
            shapes[s] = (rng.NextInt(w), rng.NextInt(h), 10 + rng.NextInt(Math.Max(11, Math.Min(w, h) / 3)),
                (byte)rng.NextInt(256), (byte)rng.NextInt(256), (byte)rng.NextInt(256));
        int p = header.Length;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++, p += 3)
            {
                double u = (double)x / w, v = (double)y / h;
                int r = (int)(128 + 100 * Math.Sin(fx * u * 6.28 + phase)), g = (int)(128 + 100 * Math.Cos(fy * v * 6.28)), b = (int)(255 * u * v);
                foreach (var sh in shapes)
                {
                    int dx = x - sh.X, dy = y - sh.Y;
                    if (dx * dx + dy * dy < sh.R * sh.R) { r = sh.Cr; g = sh.Cg; b = sh.Cb; }
                }
                int noise = (int)(rng.NextUInt64() & 31) - 16;
                data[p] = (byte)Math.Clamp(r + noise, 0, 255);
                data[p + 1] = (byte)Math.Clamp(g + noise, 0, 255);
                data[p + 2] = (byte)Math.Clamp(b + noise, 0, 255);
            }
        }
        return data;
    }

    private static string FindTool(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/bin"]))
        {
            if (dir.Length == 0) continue;
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException($"{tool} is not installed: apt-get install libjpeg-turbo-progs");
    }

    private static byte[] RunTool(string exe, byte[] input, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var err = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{exe} failed ({process.ExitCode}): {err.Result}");
        return stdout.ToArray();
    }
}
