using Dnas.Data.Images;
using Dnas.Int8;
using Dnas.Tests.TfLite;
using Dnas.TfLite;
using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.Int8;

/// <summary>The interpreter on the real models against the outputs TFLite Micro's reference
/// kernels give (../shared/models/README.md).</summary>
[Trait("Category", "SharedAssets")]
public sealed class Int8SharedModelTests(ITestOutputHelper output)
{
    /// <summary>The BMP's gray pixels as TFLM's person_detection test feeds them: its generator
    /// writes PIL's uint8 bytes (top row first) into a C array that the test memcpy's into the
    /// int8 input, so each byte is reinterpreted as int8 (pixel 200 becomes -56), not pixel - 128.
    /// The reference outputs in ../shared/models/README.md come from exactly that input.</summary>
    internal static sbyte[] PersonInput(string name)
    {
        var image = ImageDecoder.DecodeFile(TfLiteTestModels.SharedModel(name));
        Assert.Equal((96, 96), (image.Width, image.Height));
        var input = new sbyte[96 * 96];
        for (int i = 0; i < input.Length; i++) input[i] = unchecked((sbyte)image.Pixels[3 * i]);
        return input;
    }

    [Fact]
    public void PersonDetectGivesTheReferenceOutputs()
    {
        var model = TfLiteReader.ReadFile(TfLiteTestModels.SharedModel("person_detect.tflite"));
        var q = model.Tensor(model.SubGraph.Inputs[0]).Quantization!;
        Assert.Equal(-1, q.ZeroPoint[0]);
        Assert.Equal(2.0 / 255, q.Scale[0], 4);
        var interpreter = new Int8Interpreter(model);
        Assert.Equal([-113, 113], interpreter.Run(PersonInput("person.bmp")).Select(v => (int)v));
        Assert.Equal([57, -57], interpreter.Run(PersonInput("no_person.bmp")).Select(v => (int)v));
        output.WriteLine($"person_detect arena {interpreter.ArenaBytes} bytes");
    }

    [Fact]
    public void HelloWorldFollowsTheSine()
    {
        var model = TfLiteReader.ReadFile(TfLiteTestModels.SharedModel("hello_world_int8.tflite"));
        var interpreter = new Int8Interpreter(model);
        var (inScale, inZp) = (interpreter.InputTensor().Quantization!.Scale[0], interpreter.InputTensor().Quantization!.ZeroPoint[0]);
        var (outScale, outZp) = (interpreter.OutputTensor().Quantization!.Scale[0], interpreter.OutputTensor().Quantization!.ZeroPoint[0]);
        double worst = 0;
        for (int i = 0; i <= 20; i++)
        {
            double x = 2 * Math.PI * i / 20;
            var q = (sbyte)Math.Clamp(Math.Round(x / inScale) + inZp, -128, 127);
            double y = outScale * (interpreter.Run([q])[0] - outZp);
            worst = Math.Max(worst, Math.Abs(y - Math.Sin(x)));
        }
        output.WriteLine($"hello_world max |y - sin x| = {worst:F3}");
        Assert.True(worst < 0.25, $"hello_world deviates from sin(x) by {worst:F3}");
    }
}
