using Dnas.TfLite;
using Xunit;

namespace Dnas.Tests.TfLite;

public sealed class TfLiteFormatTests
{
    private static readonly TfLiteDataConfig Config = new(96, "rgb", 1f / 128, -1, TfLiteDataConfig.DefaultPreprocessing, ["no_person", "person"]);

    internal static void AssertSameModel(TfLiteModel a, TfLiteModel b)
    {
        Assert.Equal(a.Version, b.Version);
        Assert.Equal(a.Description, b.Description);
        Assert.Equal(a.OperatorCodes, b.OperatorCodes);
        Assert.Equal(a.Metadata, b.Metadata);
        Assert.Equal(a.Buffers.Count, b.Buffers.Count);
        for (int i = 0; i < a.Buffers.Count; i++) Assert.True(a.Buffers[i].Data.Span.SequenceEqual(b.Buffers[i].Data.Span), $"buffer {i}");
        Assert.Equal(a.SubGraph.Inputs, b.SubGraph.Inputs);
        Assert.Equal(a.SubGraph.Outputs, b.SubGraph.Outputs);
        Assert.Equal(a.SubGraph.Tensors.Count, b.SubGraph.Tensors.Count);
        for (int i = 0; i < a.SubGraph.Tensors.Count; i++)
        {
            var (x, y) = (a.SubGraph.Tensors[i], b.SubGraph.Tensors[i]);
            Assert.Equal(x.Name, y.Name);
            Assert.Equal(x.Shape, y.Shape);
            Assert.Equal(x.Type, y.Type);
            Assert.Equal(x.Buffer, y.Buffer);
            Assert.Equal(x.Quantization?.Scale ?? [], y.Quantization?.Scale ?? []);
            Assert.Equal(x.Quantization?.ZeroPoint ?? [], y.Quantization?.ZeroPoint ?? []);
            Assert.Equal(x.Quantization?.QuantizedDimension ?? 0, y.Quantization?.QuantizedDimension ?? 0);
        }
        Assert.Equal(a.SubGraph.Operators.Count, b.SubGraph.Operators.Count);
        for (int i = 0; i < a.SubGraph.Operators.Count; i++)
        {
            var (x, y) = (a.SubGraph.Operators[i], b.SubGraph.Operators[i]);
            Assert.Equal(x.OpcodeIndex, y.OpcodeIndex);
            Assert.Equal(x.Inputs, y.Inputs);
            Assert.Equal(x.Outputs, y.Outputs);
            Assert.Equal(x.Options, y.Options);
        }
    }

    [Fact]
    public void RoundTripPreservesEverything()
    {
        var model = TfLiteTestModels.SmallInt8Net(1, config: Config);
        byte[] bytes = TfLiteWriter.Write(model);
        Assert.Equal("TFL3"u8.ToArray(), bytes[4..8]);
        var back = TfLiteReader.Read(bytes);
        AssertSameModel(model, back);
        Assert.Equal(Config, back.DataConfig);
        Assert.Equal(bytes, TfLiteWriter.Write(back));
    }

    [Fact]
    public void WriterFollowsTheConventions()
    {
        var model = TfLiteTestModels.SmallInt8Net(2);
        byte[] bytes = TfLiteWriter.Write(model);
        var back = TfLiteReader.Read(bytes);
        Assert.True(back.Buffers[0].Data.IsEmpty);
        Assert.Null(back.DataConfig);
        foreach (var b in back.Buffers.Where(b => !b.Data.IsEmpty))
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(b.Data, out var segment));
            Assert.Equal(0, segment.Offset % 16);
        }
        var versions = back.OperatorCodes.ToDictionary(c => (TfLiteOp)c.BuiltinCode, c => c.Version);
        Assert.Equal(3, versions[TfLiteOp.Conv2D]);
        Assert.Equal(3, versions[TfLiteOp.DepthwiseConv2D]);
        Assert.Equal(2, versions[TfLiteOp.Add]);
        Assert.Equal(2, versions[TfLiteOp.Mean]);
        Assert.Equal(4, versions[TfLiteOp.FullyConnected]);
        Assert.Equal(2, versions[TfLiteOp.Softmax]);
    }

    [Fact]
    public void OperatorCodeAbove127UsesBothFields()
    {
        var b = new TfLiteModelBuilder();
        int x = b.AddTensor("x", [1, 4], TfLiteType.Float32);
        int y = b.AddTensor("y", [1, 4], TfLiteType.Int8, new TfLiteQuantization(0.1f, 0));
        b.AddOperator(TfLiteOp.Quantize, [x], [y]).SetInputs(x).SetOutputs(y);
        var back = TfLiteReader.Read(TfLiteWriter.Write(b.Build()));
        Assert.Equal(114, back.OperatorCodes[0].BuiltinCode);
        // An opcode above 127: the deprecated byte says 127, builtin_code the real value.
        var model = b.Build();
        model.OperatorCodes[0] = new TfLiteOperatorCode(150);
        Assert.Equal(150, TfLiteReader.Read(TfLiteWriter.Write(model)).OperatorCodes[0].BuiltinCode);
    }

    private static TfLiteFormatException Refused(Action<TfLiteModel> breakIt)
    {
        var model = TfLiteTestModels.SmallInt8Net(3);
        breakIt(model);
        return Assert.Throws<TfLiteFormatException>(() => TfLiteWriter.Write(model));
    }

    private static TfLiteTensor Named(TfLiteModel m, string name) => m.SubGraph.Tensors.Single(t => t.Name == name);

    [Fact]
    public void WriterRefusesSoftmaxScaleNotExactly1Over256()
    {
        var e = Refused(m => Named(m, "softmax").Quantization = new TfLiteQuantization(0.0039f, -128));
        Assert.Contains("'softmax'", e.Message);
        Assert.Contains("1/256", e.Message);
        e = Refused(m => Named(m, "softmax").Quantization = new TfLiteQuantization(1f / 256, 0));
        Assert.Contains("'softmax'", e.Message);
    }

    [Fact]
    public void WriterRefusesBiasQuantizedDimensionNot0()
    {
        var e = Refused(m => Named(m, "dw/bias").Quantization!.QuantizedDimension = 3);
        Assert.Contains("'dw/bias'", e.Message);
        Assert.Contains("quantized_dimension 3", e.Message);
    }

    [Fact]
    public void WriterRefusesZeroPointCountDifferentFromScaleCount()
    {
        var e = Refused(m => Named(m, "stem/weights").Quantization!.ZeroPoint = [0]);
        Assert.Contains("'stem/weights'", e.Message);
        Assert.Contains("1 zero points for 8 scales", e.Message);
    }

    [Fact]
    public void WriterRefusesNonEmptyBuffer0()
    {
        var e = Refused(m => m.Buffers[0] = new TfLiteBuffer(new byte[] { 1, 2, 3 }));
        Assert.Contains("buffer 0 holds 3 bytes", e.Message);
        Assert.Contains("'input'", e.Message);
    }

    [Fact]
    public void WriterRefusesUnnamedTensorsAndWrongDataSizes()
    {
        Assert.Contains("has no name", Refused(m => Named(m, "mean").Name = "").Message);
        var e = Refused(m => Named(m, "fc/weights").Shape = [4, 9]);
        Assert.Contains("'fc/weights'", e.Message);
    }

    [Fact]
    public void ReaderRejectsWrongIdentifierAndVersion()
    {
        byte[] bytes = TfLiteWriter.Write(TfLiteTestModels.SmallInt8Net(4));
        var copy = (byte[])bytes.Clone();
        copy[7] = (byte)'4';
        Assert.Contains("not TFL3", Assert.Throws<TfLiteFormatException>(() => TfLiteReader.Read(copy)).Message);
        var model = TfLiteTestModels.SmallInt8Net(4);
        model.Version = 2;
        Assert.Contains("version 2", Assert.Throws<TfLiteFormatException>(() => TfLiteWriter.Write(model)).Message);
    }

    [Fact]
    public void DataConfigMustBeWellFormed()
    {
        var model = TfLiteTestModels.SmallInt8Net(5, config: Config);
        model.Buffers[(int)model.Metadata[0].Buffer] = new TfLiteBuffer("{\"resolution\": 96}"u8.ToArray());
        var e = Assert.Throws<TfLiteFormatException>(() => model.DataConfig);
        Assert.Contains("dnas_data_config", e.Message);
    }
}
