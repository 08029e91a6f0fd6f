using System.Diagnostics;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.LiteRt;

/// <summary>Runs a .tflite on LiteRT.js through tests/litert/run.mjs (Node): inputs are written
/// as raw files in a temporary folder, the outputs read back.</summary>
internal static class LiteRtRunner
{
    public static string Script
    {
        get
        {
            string dir = Path.Combine(DecoderTools.RepoRoot(), "tests", "litert");
            if (!Directory.Exists(Path.Combine(dir, "node_modules", "@litertjs", "core")))
                Assert.Fail($"LITERT MISSING: {dir}/node_modules has no @litertjs/core; run 'bash scripts/setup.sh test' (npm ci in tests/litert)");
            return Path.Combine(dir, "run.mjs");
        }
    }

    /// <summary>(exit code, stderr, outputs or null).</summary>
    public static (int ExitCode, string Error, byte[][]? Outputs) TryRun(byte[] model, IReadOnlyList<byte[]> inputs)
    {
        string script = Script;
        string dir = Path.Combine(Path.GetTempPath(), "dnas-litert-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path.Combine(dir, "in"));
        try
        {
            string modelPath = Path.Combine(dir, "model.tflite");
            File.WriteAllBytes(modelPath, model);
            for (int i = 0; i < inputs.Count; i++) File.WriteAllBytes(Path.Combine(dir, "in", $"{i:D6}.bin"), inputs[i]);
            var start = new ProcessStartInfo("node", [script, modelPath, Path.Combine(dir, "in"), Path.Combine(dir, "out")])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            Process process;
            try { process = Process.Start(start) ?? throw new InvalidOperationException("cannot start node"); }
            catch (System.ComponentModel.Win32Exception e)
            {
                Assert.Fail($"LITERT MISSING: cannot start 'node' ({e.Message}); install Node 20+ and run 'bash scripts/setup.sh test'");
                throw;
            }
            using var owned = process;
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(10))) { process.Kill(true); Assert.Fail("LiteRT run timed out"); }
            _ = stdout.Result;
            if (process.ExitCode != 0) return (process.ExitCode, stderr, null);
            var outputs = Enumerable.Range(0, inputs.Count).Select(i => File.ReadAllBytes(Path.Combine(dir, "out", $"{i:D6}.bin"))).ToArray();
            return (0, stderr, outputs);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    public static sbyte[][] RunInt8(byte[] model, IReadOnlyList<sbyte[]> inputs)
    {
        var (code, error, outputs) = TryRun(model, inputs.Select(i => (byte[])(Array)i).ToList());
        Assert.True(code == 0, $"LiteRT failed (exit {code}): {string.Join("\n", error.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(5))}");
        return outputs!.Select(o => (sbyte[])(Array)o).ToArray();
    }
}
