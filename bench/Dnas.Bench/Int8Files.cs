using Dnas.Config;
using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Data.Preprocess;
using Dnas.Int8;
using Dnas.Pipeline;
using Dnas.Quantize;
using Dnas.TfLite;

namespace Dnas.Bench;

/// <summary>Raw int8 files for comparing our interpreter with another runtime (bench/armnn.sh):
/// <c>armnn-models</c> exports small briefly trained MobileNetV2s, <c>int8-inputs</c> writes
/// seeded images for any int8 model, <c>int8-outputs</c> runs our <see cref="Int8Interpreter"/>
/// on them. A raw file is N tensors back to back, each the model's input (or output) tensor's
/// bytes in its own layout (NHWC), no header.</summary>
public static class Int8Files
{
    // Gray and RGB at a couple of resolutions, odd ones included (their stride-2 layers pad
    // asymmetrically); the spec has two residual blocks (stride 1, equal channels).
    private static readonly (string Name, int Channels, int Resolution)[] Models =
        [("gray32", 1, 32), ("gray48", 1, 48), ("rgb40", 3, 40), ("rgb63", 3, 63)];

    /// <summary><c>armnn-models --out DIR [--steps N]</c>: DIR/&lt;name&gt;.tflite for each model.</summary>
    public static int ExportModels(BenchArgs args, TextWriter output)
    {
        string dir = args.String("out", "armnn-models");
        int steps = args.Int("steps", 40, min: 0);
        args.Finish();
        foreach (var (name, channels, resolution) in Models)
        {
            var spec = new MobileNetV2Spec(channels, 8,
                [new BlockSpec(1, 3, 8, 1), new BlockSpec(3, 5, 12, 2), new BlockSpec(4, 3, 12, 1), new BlockSpec(3, 3, 16, 2), new BlockSpec(2, 5, 16, 1)],
                32, 2);
            var net = new MobileNetV2(spec);
            net.Initialize((ulong)(channels * 1000 + resolution));
            var rng = new Rng((ulong)resolution);
            var (trainer, _) = FinetuneStage.Trainer(net, new FinetuneConfig { LearningRate = 0.005 }, steps);
            for (int s = 0; s < steps; s++)
            {
                var (images, labels) = BrightnessBatch(rng, 16, resolution, channels);
                trainer.Step(images, labels);
            }
            var folded = FoldedGraph.Fold(net, resolution, resolution);
            var calibration = Enumerable.Range(0, 4).Select(_ => BrightnessBatch(rng, 16, resolution, channels).Images).ToList();
            var quantized = Quantizer.Quantize(folded, Calibration.Collect(folded, calibration, QuantizeConfig.Default));
            var data = TfLiteExport.DataConfig(folded.Graph, channels == 1 ? ColorMode.Gray : ColorMode.Rgb, ["dark", "bright"]);
            string path = Path.Combine(dir, name + ".tflite");
            var bytes = TfLiteWriter.Write(TfLiteExport.Int8(quantized, data, $"armnn bench {name}"));
            AtomicFile.Write(path, s => s.Write(bytes));
            output.WriteLine($"{path} {bytes.Length} B ({resolution}x{resolution}x{channels}, {steps} training steps)");
        }
        return 0;
    }

    /// <summary>Two classes the net learns in a few dozen steps: mean brightness 60..140 (dark)
    /// or 120..200 (bright) with ±60 noise; pixels p/255 as in the pipeline.</summary>
    private static (Tensor Images, int[] Labels) BrightnessBatch(Rng rng, int batch, int resolution, int channels)
    {
        var t = new Tensor(batch, resolution, resolution, channels);
        var labels = new int[batch];
        int per = resolution * resolution * channels;
        var span = t.Span;
        for (int i = 0; i < batch; i++)
        {
            labels[i] = rng.NextInt(2);
            var pixels = BrightnessPixels(rng, per, labels[i] == 1 ? 120 : 60);
            for (int k = 0; k < per; k++) span[i * per + k] = pixels[k] / 255f;
        }
        return (t, labels);
    }

    private static byte[] BrightnessPixels(Rng rng, int count, int lowestMean)
    {
        int mean = lowestMean + rng.NextInt(81);
        var p = new byte[count];
        for (int k = 0; k < count; k++) p[k] = (byte)Math.Clamp(mean - 60 + rng.NextInt(121), 0, 255);
        return p;
    }

    /// <summary><c>int8-inputs --model F.tflite --out IN.bin [--count N] [--seed S]</c>: N images
    /// of the brightness problem (either class) as int8 p - 128, sized for F's input tensor.</summary>
    public static int WriteInputs(BenchArgs args, TextWriter output)
    {
        string modelPath = Required(args, "model");
        string outPath = Required(args, "out");
        int count = args.Int("count", 32, min: 1);
        int seed = args.Int("seed", 1, min: 0);
        args.Finish();
        var input = Int8Input(TfLiteReader.ReadFile(modelPath), modelPath);
        int per = checked((int)input.ElementCount);
        var rng = new Rng((ulong)seed);
        var all = new byte[count * per];
        for (int i = 0; i < count; i++)
        {
            var pixels = BrightnessPixels(rng, per, rng.NextInt(2) == 1 ? 120 : 60);
            for (int k = 0; k < per; k++) all[i * per + k] = (byte)(sbyte)(pixels[k] - 128);
        }
        AtomicFile.Write(outPath, s => s.Write(all));
        output.WriteLine($"{outPath}: {count} inputs of {per} B for {modelPath} (seed {seed})");
        return 0;
    }

    /// <summary><c>int8-outputs --model F.tflite --inputs IN.bin --out OUT.bin</c>: runs our
    /// interpreter on each input of IN.bin and writes the int8 outputs back to back.</summary>
    public static int WriteOutputs(BenchArgs args, TextWriter output)
    {
        string modelPath = Required(args, "model");
        string inPath = Required(args, "inputs");
        string outPath = Required(args, "out");
        args.Finish();
        var model = TfLiteReader.ReadFile(modelPath);
        int per = checked((int)Int8Input(model, modelPath).ElementCount);
        var bytes = File.ReadAllBytes(inPath);
        if (bytes.Length == 0 || bytes.Length % per != 0)
            throw new InvalidOperationException($"{inPath}: {bytes.Length} B is not a whole number of {modelPath}'s {per}-byte int8 inputs; write it with int8-inputs --model {modelPath}");
        var interpreter = new Int8Interpreter(model);
        int outPer = checked((int)interpreter.OutputTensor().ElementCount);
        int count = bytes.Length / per;
        var all = new byte[count * outPer];
        var input = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(bytes.AsSpan());
        for (int i = 0; i < count; i++)
        {
            input.Slice(i * per, per).CopyTo(interpreter.InputInt8());
            interpreter.Invoke();
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(interpreter.OutputInt8()).CopyTo(all.AsSpan(i * outPer, outPer));
        }
        AtomicFile.Write(outPath, s => s.Write(all));
        output.WriteLine($"{outPath}: {count} outputs of {outPer} B from {modelPath}");
        return 0;
    }

    private static TfLiteTensor Int8Input(TfLiteModel model, string path)
    {
        if (model.SubGraph.Inputs.Count != 1)
            throw new InvalidOperationException($"{path}: {model.SubGraph.Inputs.Count} inputs; these commands handle single-input models");
        var t = model.Tensor(model.SubGraph.Inputs[0]);
        if (t.Type != TfLiteType.Int8)
            throw new InvalidOperationException($"{path}: input tensor '{t.Name}' is {t.Type}, not int8; use the int8 model (model.tflite, not model.float.tflite)");
        return t;
    }

    private static string Required(BenchArgs args, string name)
    {
        string v = args.String(name, "");
        return v.Length > 0 ? v : throw new BenchUsageException($"--{name} is required");
    }
}
