using Dnas.Int8;
using Dnas.Tests.TfLite;
using Dnas.TfLite;
using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.Int8;

/// <summary>The MLPerf Tiny VWW reference model (int8 and float32) on every vww96 image through
/// our interpreter: accuracy of each and their agreement.</summary>
[Trait("Category", "SharedAssets")]
public sealed class Int8Vww96Tests(ITestOutputHelper output)
{
    [Fact]
    public void Vww96Int8AndFloatModelsClassifyTheSet()
    {
        var images = Vww96Images.Get();
        var int8 = new Int8Interpreter(TfLiteReader.ReadFile(TfLiteTestModels.SharedModel("vww_96_int8.tflite")));
        var fp = new Int8Interpreter(TfLiteReader.ReadFile(TfLiteTestModels.SharedModel("vww_96_float.tflite")));
        var q = int8.InputTensor().Quantization!;
        int int8Correct = 0, floatCorrect = 0, agree = 0;
        foreach (var image in images)
        {
            int a = Vww96Images.ArgMax<sbyte>(int8.Run(Vww96Images.QuantizedInput(image, q.Scale[0], q.ZeroPoint[0])));
            Vww96Images.FloatInput(image).CopyTo(fp.InputFloat());
            fp.Invoke();
            int b = Vww96Images.ArgMax(fp.OutputFloat());
            int8Correct += a == image.Label ? 1 : 0;
            floatCorrect += b == image.Label ? 1 : 0;
            agree += a == b ? 1 : 0;
        }
        double n = images.Count;
        output.WriteLine($"vww96 ({images.Count} images): int8 accuracy {int8Correct / n:P2}, float accuracy {floatCorrect / n:P2}, int8/float top-1 agreement {agree / n:P2}");
        // The reference model targets ~80% on the full vww01 set; far below means broken kernels.
        Assert.True(int8Correct / n > 0.7, $"int8 accuracy {int8Correct / n:P2}");
        Assert.True(floatCorrect / n > 0.7, $"float accuracy {floatCorrect / n:P2}");
        Assert.True(agree / n >= 0.97, $"int8 and float agree on only {agree / n:P2}");
    }
}
