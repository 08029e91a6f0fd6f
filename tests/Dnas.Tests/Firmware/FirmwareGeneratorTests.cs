using Dnas.Data.Preprocess;
using Dnas.Firmware;
using Dnas.TfLite;
using Dnas.Tests.Cli;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Firmware;

/// <summary>What <c>dnas firmware</c> writes besides the engine: the TFLite Micro drop-in
/// compiles against TFLM-shaped declarations, the generated preprocessing instance equals the
/// C# definition, user edits are never overwritten silently, and the command's exit codes.</summary>
public sealed class FirmwareGeneratorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Shim => Path.Combine(DecoderTools.RepoRoot(), "tests", "Dnas.Tests", "Firmware", "TflmShim");

    public static TheoryData<string> Models() => ["exported", "extra"];

    private static (TfLiteModel Model, byte[] Bytes) Model(string which)
    {
        if (which != "exported") return EngineModels.ExtraOps();
        var (model, bytes, _) = EngineModels.Exported(3, 40);
        return (model, bytes);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_TFLM_drop_in_compiles_and_registers_exactly_the_models_operators(string which)
    {
        var (model, bytes) = Model(which);
        var fw = FirmwareGenerator.Generate(new FirmwareRequest(model, bytes, which + ".tflite", which));
        FirmwareOutput.Write(_dir.Path, fw.Files, force: false);
        foreach (var cc in fw.Files.Select(f => f.Name).Where(n => n.EndsWith(".cc", StringComparison.Ordinal)))
            CTools.Run(DecoderTools.Require("g++", "g++"), ["-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-I", Shim, "-I", _dir.Path, Path.Combine(_dir.Path, cc)]);
        string resolver = File.ReadAllText(Path.Combine(_dir.Path, $"{which}_op_resolver.h"));
        var ops = model.SubGraph.Operators.Select(o => (TfLiteOp)model.CodeOf(o)).Distinct().ToList();
        Assert.Contains($"MicroMutableOpResolver<{ops.Count}>", resolver, StringComparison.Ordinal);
        foreach (var op in ops) Assert.Contains(TflmDropIn.Registration(op).Call, resolver, StringComparison.Ordinal);
        Assert.Equal(ops.Count, resolver.Split("op_resolver.Add", StringSplitOptions.None).Length - 1);
        string data = File.ReadAllText(Path.Combine(_dir.Path, $"{which}_model_data.cc"));
        Assert.Contains("alignas(16) const unsigned char", data, StringComparison.Ordinal);
        Assert.Contains($"_model_data_len = {bytes.Length};", data, StringComparison.Ordinal);
    }

    [Fact]
    public void The_generated_preprocessing_equals_the_CSharp_definition()
    {
        var (model, bytes, _) = EngineModels.Exported(3, 40);
        var fw = FirmwareGenerator.Generate(new FirmwareRequest(model, bytes, "mnv2.tflite", "mnv2"));
        FirmwareOutput.Write(_dir.Path, fw.Files, force: false);
        Assert.Equal(new PreprocessSpec(40, 40, ColorMode.Rgb), fw.Preprocess);
        string main = _dir.Write("pp_main.c", System.Text.Encoding.ASCII.GetBytes("""
            #include <stdio.h>
            #include <stdlib.h>
            #include "mnv2_preprocess.h"
            int main(int argc, char **argv) {
                if (argc != 6) return 2;
                int w = atoi(argv[2]), h = atoi(argv[3]), fmt = atoi(argv[4]);
                static uint8_t frame[700 * 480 * 3];
                static int8_t input[40 * 40 * 3];
                FILE *f = fopen(argv[1], "rb");
                if (!f || fread(frame, 1, sizeof frame, f) == 0) return 2;
                fclose(f);
                int rc = mnv2_preprocess(frame, w, h, (dnas_frame_format_t)fmt, input);
                if (rc != 0) { printf("rc %d\n", rc); return 0; }
                FILE *o = fopen(argv[5], "wb");
                if (!o || fwrite(input, 1, sizeof input, o) != sizeof input) return 2;
                fclose(o);
                printf("ok\n");
                return 0;
            }
            """));
        var exe = Path.Combine(_dir.Path, "pp");
        CTools.Run(DecoderTools.Require("gcc", "gcc"), [.. CTools.HostBuilds[1].Flags, "-I", _dir.Path, main,
            Path.Combine(_dir.Path, "mnv2_preprocess.c"), Path.Combine(_dir.Path, "dnas_preprocess.c"), "-o", exe]);
        var rng = new Random(4);
        foreach (var (format, w, h) in new[] { (CameraFormat.Rgb565, 161, 119), (CameraFormat.Yuyv, 320, 241), (CameraFormat.Gray8, 640, 480), (CameraFormat.Rgb888, 33, 47) })
        {
            var frame = new byte[CameraPixels.FrameBytes(format, w, h)];
            rng.NextBytes(frame);
            var path = _dir.Write($"frame-{format}.bin", frame);
            Assert.Equal("ok\n", CTools.Run(exe, [path, $"{w}", $"{h}", $"{(int)format}", path + ".out"]));
            var expected = CameraPixels.ToInput(frame, format, w, h, fw.Preprocess, fw.InputTable);
            Assert.True(((byte[])(Array)expected).AsSpan().SequenceEqual(File.ReadAllBytes(path + ".out")), $"{format} {w}x{h}: the generated preprocessing differs from the C# definition");
        }
        // Beyond MNV2_MAX_FRAME_WIDTH (640 by default) the work buffers are too small: an error, not an overflow.
        var wide = _dir.Write("wide.bin", new byte[700 * 10 * 3]);
        Assert.Equal("rc -3\n", CTools.Run(exe, [wide, "700", "10", "1", wide + ".out"]));
    }

    [Fact]
    public void Files_changed_by_the_user_are_not_overwritten_without_force()
    {
        var (model, bytes) = EngineModels.ExtraOps();
        var fw = FirmwareGenerator.Generate(new FirmwareRequest(model, bytes, "extra.tflite", "extra"));
        FirmwareOutput.Write(_dir.Path, fw.Files, force: false);
        FirmwareOutput.Write(_dir.Path, fw.Files, force: false);   // unchanged: fine
        var edited = Path.Combine(_dir.Path, "extra_main_functions.cc");
        File.AppendAllText(edited, "// my change\n");
        var e = Assert.Throws<IOException>(() => FirmwareOutput.Write(_dir.Path, fw.Files, force: false));
        Assert.Contains(edited, e.Message, StringComparison.Ordinal);
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("// my change\n", File.ReadAllText(edited), StringComparison.Ordinal);
        FirmwareOutput.Write(_dir.Path, fw.Files, force: true);
        Assert.Equal(fw.Files.Single(f => f.Name == "extra_main_functions.cc").Text, File.ReadAllText(edited));
        // A file of the same name that dnas never wrote is protected as well.
        var other = Path.Combine(_dir.Path, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "extra_model.c"), "/* someone else's */\n");
        Assert.Throws<IOException>(() => FirmwareOutput.Write(other, fw.Files, force: false));
        Assert.Empty(Directory.GetFiles(other, "*.tmp-*"));
    }

    [Fact]
    public void The_command_writes_the_folder_and_reports_sizes_with_the_documented_exit_codes()
    {
        var (_, bytes) = EngineModels.ExtraOps();
        var tflite = _dir.Write("extra.tflite", bytes);
        var outDir = Path.Combine(_dir.Path, "fw");
        var (code, stdout, stderr) = CliRunner.Run("firmware", "--from-tflite", tflite, "--out", outDir, "--labels", "a,b,c,d,e,f,g");
        Assert.True(code == 0, stderr);
        Assert.Contains("Cortex-M4 (arm-none-eabi-gcc -O2) engine: flash", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "extra_model.c")));
        Assert.Contains("\"g\"", File.ReadAllText(Path.Combine(outDir, "extra_model_settings.cc")), StringComparison.Ordinal);

        File.AppendAllText(Path.Combine(outDir, "extra_model.c"), "/* edit */\n");
        (code, _, stderr) = CliRunner.Run("firmware", "--from-tflite", tflite, "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("--force", stderr, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("firmware", "--from-tflite", tflite, "--out", outDir, "--force").Code);

        Assert.Equal(2, CliRunner.Run("firmware", "--from-tflite", tflite).Code);                                    // no --out
        (code, _, stderr) = CliRunner.Run("firmware", "--from-tflite", tflite, "--out", outDir, "--labels", "a,b", "--force");
        Assert.Equal(1, code);
        Assert.Contains("2 labels", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("firmware", "--from-tflite", Path.Combine(_dir.Path, "missing.tflite"), "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("missing.tflite", stderr, StringComparison.Ordinal);
        var notTflite = _dir.Write("not.tflite", "hello"u8.ToArray());
        Assert.Equal(1, CliRunner.Run("firmware", "--from-tflite", notTflite, "--out", outDir).Code);
    }

    [Fact]
    public void The_command_uses_the_run_folders_exported_model()
    {
        var config = _dir.Write("dnas.yaml", "output: run\n"u8.ToArray());
        var (code, _, stderr) = CliRunner.Run("firmware", "-c", config);
        Assert.Equal(1, code);
        Assert.Contains("model.tflite", stderr, StringComparison.Ordinal);
        Assert.Contains("dnas export", stderr, StringComparison.Ordinal);

        var (_, bytes, _) = EngineModels.Exported(1, 32);
        _dir.Write(Path.Combine("run", "model.tflite"), bytes);
        (code, var stdout, stderr) = CliRunner.Run("firmware", "-c", config);
        Assert.True(code == 0, stderr);
        Assert.Contains(Path.Combine(_dir.Path, "run", "firmware"), stdout, StringComparison.Ordinal);
        // The labels and preprocessing come from the model's dnas_data_config metadata.
        string settings = File.ReadAllText(Path.Combine(_dir.Path, "run", "firmware", "model_model_settings.cc"));
        Assert.Contains("\"person\"", settings, StringComparison.Ordinal);
        Assert.Contains("kPersonIndex = 1;", File.ReadAllText(Path.Combine(_dir.Path, "run", "firmware", "model_model_settings.h")), StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_models_are_refused_with_the_operator_and_what_to_do()
    {
        var b = new TfLiteModelBuilder("float");
        int x = b.AddTensor("x", [1, 4, 4, 1], TfLiteType.Float32);
        int y = b.AddTensor("y", [1, 2, 2, 1], TfLiteType.Float32);
        b.AddOperator(TfLiteOp.AveragePool2D, [x], [y], new Pool2DOptions(TfLitePadding.Valid, 2, 2, 2, 2));
        b.SetInputs(x).SetOutputs(y);
        var bytes = TfLiteWriter.Write(b.Build());
        var e = Assert.Throws<FirmwareException>(() => FirmwareGenerator.Generate(new FirmwareRequest(TfLiteReader.Read(bytes), bytes, "float.tflite", "f")));
        Assert.Contains("float.tflite", e.Message, StringComparison.Ordinal);
        Assert.Contains("input tensor 'x' is FLOAT32", e.Message, StringComparison.Ordinal);
        Assert.Contains("int8", e.Message, StringComparison.Ordinal);
    }
}
