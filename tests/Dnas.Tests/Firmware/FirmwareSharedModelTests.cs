using Dnas.Data.Images;
using Dnas.Data.Preprocess;
using Dnas.TfLite;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Firmware;

/// <summary>The generated C engine on the real third-party models of <c>../shared/models</c>:
/// person_detect.tflite gives TFLM's reference outputs on its two test images (README of the
/// models folder), on the host (strict and ASan+UBSan builds) and on the emulated Cortex-M4.</summary>
[Trait("Category", "SharedAssets")]
public sealed class FirmwareSharedModelTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static string SharedPath(params string[] parts) => SharedAssets.Path(parts);

    internal static EngineHarness Generate(string folder, string file, string name)
    {
        var path = SharedPath("models", file);
        var bytes = File.ReadAllBytes(path);
        return new EngineHarness(folder, TfLiteReader.Read(bytes), bytes, path, name, ["no_person", "person"]);
    }

    /// <summary>TFLM's test images as its test feeds them: the 8-bit gray pixels reinterpreted as int8.</summary>
    private static sbyte[] TflmTestImage(string file)
    {
        var image = ImageDecoder.DecodeFile(SharedPath("models", file));
        var input = new sbyte[image.Width * image.Height];
        for (int i = 0; i < input.Length; i++) input[i] = unchecked((sbyte)image.Pixels[3 * i]);
        return input;
    }

    [Fact]
    public void Person_detect_gives_the_TFLM_reference_outputs_on_host_and_Cortex_M4()
    {
        var engine = Generate(_dir.Path, "person_detect.tflite", "person_detect");
        var inputs = new List<sbyte[]> { TflmTestImage("person.bmp"), TflmTestImage("no_person.bmp") };
        var expected = new List<sbyte[]> { new sbyte[] { -113, 113 }, new sbyte[] { 57, -57 } };
        foreach (var (build, _) in CTools.HostBuilds)
            EngineHarness.AssertRowsEqual(expected, engine.RunHost(build, inputs), $"person_detect host {build}");
        var (rows, ticks) = engine.RunCortexM4(inputs);
        EngineHarness.AssertRowsEqual(expected, rows, "person_detect Cortex-M4 (QEMU mps2-an386)");
        Assert.True(ticks > 0, "the board timer did not advance during an inference");
    }

    /// <summary>The vww96 images (10 person, 10 no_person) through the generated preprocessing table.</summary>
    internal static List<sbyte[]> VwwInputs(EngineHarness engine, int perClass = 10)
    {
        var inputs = new List<sbyte[]>();
        var pre = new Preprocessor(engine.Firmware.Preprocess);
        foreach (var cls in new[] { "person", "no_person" })
        {
            var files = Directory.GetFiles(SharedPath("data", "vww96", cls), "*.png").Order(StringComparer.Ordinal).Take(perClass).ToList();
            Assert.True(files.Count == perClass, $"SHARED ASSET MISSING: fewer than {perClass} PNG images in ../shared/data/vww96/{cls}");
            foreach (var file in files)
            {
                var input = new sbyte[engine.InputSize];
                pre.ToInt8(ImageDecoder.DecodeFile(file), engine.Firmware.InputTable, input);
                inputs.Add(input);
            }
        }
        return inputs;
    }
}
