using System.Globalization;
using Dnas.Data.Preprocess;
using Dnas.Firmware;
using Dnas.Hardware;
using Dnas.Int8;
using Dnas.TfLite;
using Dnas.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.Firmware;

/// <summary>The generated C engine against the C# <see cref="Int8Interpreter"/>: bit-identical
/// outputs on 20 inputs per model, host-compiled with the strict flags and under ASan + UBSan,
/// and cross-compiled for the Cortex-M4 and run under QEMU (mps2-an386), for our exported
/// MobileNetV2s (gray and RGB), a model with the remaining operators, and (SharedAssets)
/// person_detect.tflite and vww_96_int8.tflite on vww96 images.</summary>
public sealed class EngineInterpreterTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<sbyte[]> RandomInputs(int count, int size, ulong seed)
    {
        var rng = new Dnas.Engine.Rng(seed);
        var inputs = new List<sbyte[]>();
        for (int n = 0; n < count; n++)
        {
            var x = new sbyte[size];
            // Smooth images with noise, and a few saturated ones, so the activations spread.
            int bias = rng.NextInt(256) - 128, amp = 1 + rng.NextInt(64);
            for (int i = 0; i < size; i++) x[i] = (sbyte)Math.Clamp(bias + (i % 97) * amp / 48 - 32 + rng.NextInt(65), -128, 127);
            inputs.Add(x);
        }
        inputs[0].AsSpan().Fill(-128);
        inputs[1].AsSpan().Fill(127);
        return inputs;
    }

    private static List<sbyte[]> Interpret(TfLiteModel model, IReadOnlyList<sbyte[]> inputs)
    {
        var interpreter = new Int8Interpreter(model);
        return inputs.Select(x => interpreter.Run(x)).ToList();
    }

    /// <summary>Host builds and the Cortex-M4 give the interpreter's outputs; returns the M4 ticks.</summary>
    private long AssertEngineMatches(EngineHarness engine, TfLiteModel model, IReadOnlyList<sbyte[]> inputs, string what)
    {
        var expected = Interpret(model, inputs);
        Assert.True(expected.Select(e => string.Join(",", e)).Distinct().Count() > 1,
            $"{what}: every input gives the same output, so the comparison would prove little");
        foreach (var (build, _) in CTools.HostBuilds)
            EngineHarness.AssertRowsEqual(expected, engine.RunHost(build, inputs), $"{what} host {build}");
        var (rows, ticks) = engine.RunCortexM4(inputs);
        EngineHarness.AssertRowsEqual(expected, rows, $"{what} Cortex-M4 (QEMU mps2-an386)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {inputs.Count} inputs bit-exact (host O2, ASan+UBSan, Cortex-M4); arena {engine.Firmware.Figures.ArenaBytes} B; M4 {ticks * 40} instructions per inference"));
        return ticks;
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 40)]
    public void Our_exported_MobileNetV2_runs_bit_exact_and_sizes_agree_with_the_hardware_model(int channels, int resolution)
    {
        var (model, bytes, folded) = EngineModels.Exported(channels, resolution);
        var engine = new EngineHarness(_dir.Path, model, bytes, $"exported_c{channels}_r{resolution}.tflite", "mnv2");
        var inputs = RandomInputs(20, engine.InputSize, (ulong)(channels * 100 + resolution));
        AssertEngineMatches(engine, model, inputs, $"exported MobileNetV2 c{channels} r{resolution}");

        // Cortex-M4 flash and RAM against the hardware model's estimate for the same network.
        var cost = ModelCost.Compute(folded.Spec, new ModelInput(resolution, resolution, channels),
            new CameraFrame(resolution, resolution, PixelFormat.Gray8), Targets.Nano33Ble, inPlaceAdd: true);
        var size = CrossSize.Measure(_dir.Path, ["mnv2_model.c", "dnas_kernels.c"]);
        double ram = size.Ram / (double)cost.ArenaBytes, data = engine.Firmware.Figures.ConstantBytes / (double)cost.ModelDataBytes;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  M4 flash {size.Flash} B (constants {engine.Firmware.Figures.ConstantBytes} B = {data:0.000}x the hardware model's {cost.ModelDataBytes} B; code {size.Flash - engine.Firmware.Figures.ConstantBytes} B vs its code estimate {cost.Target.CodeSizeBytes} B); " +
            $"RAM {size.Ram} B = {ram:0.000}x its arena {cost.ArenaBytes} B"));
        // The constants are what the hardware model counts (a pointwise convolution stores its
        // folded bias instead of the bias), except that FULLY_CONNECTED gets one multiplier and
        // shift per unit rather than one pair.
        Assert.InRange(data, 1.0, 1.1);
        // RAM: the engine's arena (never above the hardware model's, which lacks the pointwise
        // overlap) plus a few hundred bytes of kernel scratch.
        Assert.True(engine.Firmware.Figures.ArenaBytes <= cost.ArenaBytes, $"engine arena {engine.Firmware.Figures.ArenaBytes} B > hardware model {cost.ArenaBytes} B");
        Assert.InRange(ram, 0.5, 1.1);
    }

    [Fact]
    public void The_remaining_operators_run_bit_exact()
    {
        var (model, bytes) = EngineModels.ExtraOps();
        var engine = new EngineHarness(_dir.Path, model, bytes, "extra_ops.tflite", "extra");
        AssertEngineMatches(engine, model, RandomInputs(20, engine.InputSize, 9), "PAD/DW dm2/pools/RESHAPE copy/FC/ADD/SOFTMAX model");
    }

    [Theory]
    [Trait("Category", "SharedAssets")]
    [InlineData("person_detect.tflite", "person_detect")]
    [InlineData("vww_96_int8.tflite", "vww")]
    public void Shared_models_run_bit_exact_on_vww96_images(string file, string name)
    {
        var engine = FirmwareSharedModelTests.Generate(_dir.Path, file, name);
        var inputs = FirmwareSharedModelTests.VwwInputs(engine);
        var model = TfLiteReader.Read(File.ReadAllBytes(FirmwareSharedModelTests.SharedPath("models", file)));
        AssertEngineMatches(engine, model, inputs, file);
    }
}
