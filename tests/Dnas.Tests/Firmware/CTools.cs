using System.Diagnostics;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Firmware;

/// <summary>Compiles and runs C for the firmware tests: host gcc with the strict flags of the
/// issue, once plainly and once with AddressSanitizer + UndefinedBehaviorSanitizer.</summary>
internal static class CTools
{
    /// <summary>The two host builds every C proof runs under.</summary>
    public static readonly (string Name, string[] Flags)[] HostBuilds =
    [
        ("O2", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2"]),
        ("asan-ubsan", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]),
    ];

    public static string FirmwareDir => Path.Combine(DecoderTools.RepoRoot(), "firmware");

    private static readonly object Gate = new();
    private static readonly Dictionary<string, string> Built = [];
    private static readonly string BuildDir = Path.Combine(Path.GetTempPath(), $"dnas-ctools-{Environment.ProcessId}");

    /// <summary>Compiles <paramref name="sources"/> into an executable (cached per key within the test run).</summary>
    public static string Compile(string key, string[] flags, params string[] sources)
    {
        lock (Gate)
        {
            if (Built.TryGetValue(key, out var done)) return done;
            Directory.CreateDirectory(BuildDir);
            var exe = Path.Combine(BuildDir, key);
            Run(DecoderTools.Require("gcc", "gcc"), [.. flags, "-I", FirmwareDir, .. sources, "-o", exe, "-lm"], 300);
            Built[key] = exe;
            return exe;
        }
    }

    /// <summary>Runs a program; a non-zero exit (or any sanitizer report) fails the test. Returns
    /// stdout, or stderr with <paramref name="returnStderr"/> (QEMU writes semihosting output there).</summary>
    public static string Run(string exe, IEnumerable<string> args, int timeoutSeconds = 120, bool returnStderr = false)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0";
        psi.Environment["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{exe} {string.Join(' ', psi.ArgumentList)} did not finish within {timeoutSeconds} s");
        }
        if (p.ExitCode != 0)
            Assert.Fail($"{Path.GetFileName(exe)} {string.Join(' ', psi.ArgumentList)} exited with {p.ExitCode}: {err.Result}");
        if (err.Result.Contains("runtime error", StringComparison.Ordinal) || err.Result.Contains("Sanitizer", StringComparison.Ordinal))
            Assert.Fail($"{Path.GetFileName(exe)}: sanitizer report: {err.Result}");
        return returnStderr ? err.Result : output;
    }
}
