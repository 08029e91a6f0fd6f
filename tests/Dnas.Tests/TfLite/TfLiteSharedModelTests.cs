using Dnas.TfLite;
using Xunit;

namespace Dnas.Tests.TfLite;

/// <summary>The real models in <c>../shared/models</c> read, and re-write after the one fix the
/// writer demands (person_detect's depthwise bias quantized_dimension 3 -> 0).</summary>
[Trait("Category", "SharedAssets")]
public sealed class TfLiteSharedModelTests
{
    public static TheoryData<string> Models => new(TfLiteTestModels.RealModels);

    [Theory]
    [MemberData(nameof(Models))]
    public void RealModelReads(string name)
    {
        var model = TfLiteReader.ReadFile(TfLiteTestModels.SharedModel(name));
        Assert.Equal(3u, model.Version);
        Assert.NotEmpty(model.SubGraph.Operators);
        Assert.NotEmpty(model.SubGraph.Inputs);
        foreach (var t in model.SubGraph.Tensors)
            if (t.Buffer != 0 && !model.DataOf(t).IsEmpty) Assert.Equal(t.Bytes, model.DataOf(t).Length);
    }

    [Fact]
    public void PersonDetectInputAndDepthwiseBias()
    {
        var model = TfLiteReader.ReadFile(TfLiteTestModels.SharedModel("person_detect.tflite"));
        var input = model.Tensor(model.SubGraph.Inputs[0]);
        Assert.Equal([1, 96, 96, 1], input.Shape);
        Assert.Equal(TfLiteType.Int8, input.Type);
        Assert.Equal(-1, input.Quantization!.ZeroPoint[0]);
        Assert.Equal(0.00784, input.Quantization.Scale[0], 4);
        var dimThree = model.SubGraph.Tensors.Where(t => t.Shape.Length == 1 && t.Quantization is { QuantizedDimension: 3 }).ToList();
        Assert.NotEmpty(dimThree);
        var e = Assert.Throws<TfLiteFormatException>(() => TfLiteWriter.Write(model));
        Assert.Contains($"'{dimThree[0].Name}'", e.Message);
    }

    [Fact]
    public void PersonDetectRewritesAfterFixingBiasDimension()
    {
        var model = TfLiteReader.ReadFile(TfLiteTestModels.SharedModel("person_detect.tflite"));
        int fixedCount = TfLiteFixes.FixBiasQuantizedDimension(model);
        Assert.True(fixedCount > 0);
        var back = TfLiteReader.Read(TfLiteWriter.Write(model));
        TfLiteFormatTests.AssertSameModel(model, back);
    }
}
