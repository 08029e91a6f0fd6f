using System.Diagnostics;
using System.Globalization;
using Dnas.Firmware;
using Dnas.TfLite;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Firmware;

/// <summary>Generates firmware for a model into a folder and runs its C engine: on the host
/// (firmware/host/engine_main.c, the strict build and the ASan+UBSan build) and on the
/// emulated Cortex-M4 (firmware/boards/mps2-an386, QEMU with semihosting).</summary>
internal sealed class EngineHarness
{
    public string Folder { get; }
    public GeneratedFirmware Firmware { get; }
    public string Name => Firmware.Name;
    public string Guard => Firmware.Name.ToUpperInvariant();
    public int InputSize => Firmware.Figures.InputSize;
    public int OutputSize => Firmware.Figures.OutputSize;

    public EngineHarness(string folder, TfLiteModel model, byte[] bytes, string source, string name, IReadOnlyList<string>? labels = null)
    {
        Folder = folder;
        Firmware = FirmwareGenerator.Generate(new FirmwareRequest(model, bytes, source, name, labels));
        FirmwareOutput.Write(folder, Firmware.Files, force: false);
        File.WriteAllText(Path.Combine(folder, "engine_config.h"),
            $"#include \"{Name}_model.h\"\n#define DNAS_MODEL {Name}\n#define DNAS_MODEL_GUARD {Guard}\n");
    }

    /// <summary>Writes the inputs (InputSize int8 values each) to a file.</summary>
    public string WriteInputs(IReadOnlyList<sbyte[]> inputs)
    {
        var path = Path.Combine(Folder, "inputs.bin");
        using var f = File.Create(path);
        foreach (var input in inputs)
        {
            Assert.Equal(InputSize, input.Length);
            f.Write((byte[])(Array)input);
        }
        return path;
    }

    /// <summary>Compiles the engine with the host harness under <paramref name="build"/> and returns one output row per input.</summary>
    public List<sbyte[]> RunHost(string build, IReadOnlyList<sbyte[]> inputs)
    {
        var flags = CTools.HostBuilds.Single(b => b.Name == build).Flags;
        string exe = Path.Combine(Folder, $"engine-{build}");
        CTools.Run(DecoderTools.Require("gcc", "gcc"),
            [.. flags, "-I", Folder, Path.Combine(CTools.FirmwareDir, "host", "engine_main.c"),
             Path.Combine(Folder, $"{Name}_model.c"), Path.Combine(Folder, "dnas_kernels.c"), "-o", exe], 300);
        return ParseRows(CTools.Run(exe, [WriteInputs(inputs)], 300), inputs.Count);
    }

    /// <summary>Cross-compiles for the Cortex-M4 with the inputs as constant data, runs it in
    /// QEMU (mps2-an386, -icount shift=0) and returns the output rows and the timer ticks of the
    /// first inference (40 instructions per tick).</summary>
    public (List<sbyte[]> Rows, long Ticks) RunCortexM4(IReadOnlyList<sbyte[]> inputs)
    {
        string data = Path.Combine(Folder, "testdata.c");
        using (var w = new StreamWriter(data))
        {
            w.WriteLine("#include <stdint.h>");
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"const int32_t dnas_test_count = {inputs.Count};"));
            w.WriteLine("const int8_t dnas_test_inputs[] = {");
            foreach (var input in inputs) w.WriteLine(CArrays.Values(input) + ",");
            w.WriteLine("};");
        }
        string board = Path.Combine(CTools.FirmwareDir, "boards", "mps2-an386");
        string elf = Path.Combine(Folder, "engine-m4.elf");
        CTools.Run(DecoderTools.Require("make", "make"),
            ["-s", "-C", board, $"SOURCES={Path.Combine(board, "engine_main.c")} {Path.Combine(Folder, Name + "_model.c")} {data}",
             $"INCLUDES=-I {Folder}",
             $"OUT={elf}"], 600);
        string qemu = DecoderTools.Require("qemu-system-arm", "qemu-system-arm");
        string output = CTools.Run(qemu, ["-M", "mps2-an386", "-nographic", "-semihosting", "-icount", "shift=0", "-kernel", elf], 600, returnStderr: true);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ticksLine = lines.Single(l => l.StartsWith("ticks ", StringComparison.Ordinal));
        return (ParseRows(string.Join('\n', lines.Where(l => !l.StartsWith("ticks ", StringComparison.Ordinal))), inputs.Count),
            long.Parse(ticksLine[6..], CultureInfo.InvariantCulture));
    }

    private List<sbyte[]> ParseRows(string text, int count)
    {
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => sbyte.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        Assert.True(rows.Count == count, $"{Name}: the engine printed {rows.Count} output rows for {count} inputs:\n{text}");
        foreach (var r in rows) Assert.True(r.Length == OutputSize, $"{Name}: an output row has {r.Length} values, expected {OutputSize}");
        return rows;
    }

    public static void AssertRowsEqual(IReadOnlyList<sbyte[]> expected, IReadOnlyList<sbyte[]> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            if (!expected[i].AsSpan().SequenceEqual(actual[i]))
                Assert.Fail($"{what}: input {i}: expected [{string.Join(", ", expected[i])}], got [{string.Join(", ", actual[i])}]");
    }
}
