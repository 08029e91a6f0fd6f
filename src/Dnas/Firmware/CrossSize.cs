using System.Diagnostics;
using System.Globalization;

namespace Dnas.Firmware;

/// <summary>Sections of compiled objects as <c>arm-none-eabi-size</c> reports them.
/// Flash = text + data (code, constants, initial values), RAM = data + bss.</summary>
public sealed record SectionSizes(long Text, long Data, long Bss)
{
    public long Flash => Text + Data;
    public long Ram => Data + Bss;
}

/// <summary>Cross-compiles generated firmware for a Cortex-M4 (<c>arm-none-eabi-gcc -std=c99
/// -mcpu=cortex-m4 -mthumb -O2</c>) and measures it with <c>arm-none-eabi-size</c>.</summary>
public static class CrossSize
{
    public const string Compiler = "arm-none-eabi-gcc";
    public const string SizeTool = "arm-none-eabi-size";

    /// <summary>True when the cross toolchain is on PATH.</summary>
    public static bool Available => Find(Compiler) is not null && Find(SizeTool) is not null;

    /// <summary>Compiles <paramref name="sources"/> (files in <paramref name="folder"/>) to objects
    /// in a temporary folder and sums their sections.</summary>
    /// <exception cref="FirmwareException">The toolchain is missing or a file does not compile.</exception>
    public static SectionSizes Measure(string folder, IReadOnlyList<string> sources)
    {
        string gcc = Find(Compiler) ?? throw new FirmwareException($"{Compiler} is not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)");
        string size = Find(SizeTool) ?? throw new FirmwareException($"{SizeTool} is not installed (apt-get install gcc-arm-none-eabi)");
        string temp = Path.Combine(Path.GetTempPath(), "dnas-size-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            var objects = new List<string>();
            foreach (var source in sources)
            {
                string obj = Path.Combine(temp, Path.GetFileNameWithoutExtension(source) + ".o");
                Run(gcc, ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-mcpu=cortex-m4", "-mthumb", "-I", folder, "-c", Path.Combine(folder, source), "-o", obj]);
                objects.Add(obj);
            }
            string table = Run(size, ["-t", .. objects]);
            // The -t total line: "text data bss dec hex (TOTALS)".
            var totals = table.Split('\n').Single(l => l.Contains("(TOTALS)", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new SectionSizes(long.Parse(totals[0], CultureInfo.InvariantCulture), long.Parse(totals[1], CultureInfo.InvariantCulture),
                long.Parse(totals[2], CultureInfo.InvariantCulture));
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static string Run(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new FirmwareException($"cannot start {exe}");
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new FirmwareException($"{Path.GetFileName(exe)} {string.Join(' ', psi.ArgumentList)} failed (exit {p.ExitCode}): {err.Result.Trim()}");
        return output;
    }
}
