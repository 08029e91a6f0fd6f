using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Dnas.Quantize;
using Dnas.TfLite;
using Xunit;

namespace Dnas.Tests.Quantize;

public class TfLiteExportTests
{
    internal static (FoldedGraph Folded, QuantizedGraph Quantized) Quantize(int channels, int resolution, ulong seed = 3)
    {
        var net = QuantizeFixtures.RandomNet(QuantizeFixtures.SmallSpec(channels), seed);
        var folded = FoldedGraph.Fold(net, resolution, resolution);
        var batches = new[] { QuantizeFixtures.RandomImages(8, resolution, resolution, channels, seed + 1) };
        return (folded, Quantizer.Quantize(folded, Calibration.Collect(folded, batches, QuantizeConfig.Default)));
    }

    internal static TfLiteDataConfig Data(FoldedGraph f, int channels) =>
        TfLiteExport.DataConfig(f.Graph, channels == 1 ? ColorMode.Gray : ColorMode.Rgb, ["background", "person", "other"]);

    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 40)]
    public void TheInt8FileIsTheExecutionGraphTensorForTensor(int channels, int resolution)
    {
        var (folded, q) = Quantize(channels, resolution);
        var bytes = TfLiteWriter.Write(TfLiteExport.Int8(q, Data(folded, channels), "test"));
        var model = TfLiteReader.Read(bytes);
        var g = folded.Graph;
        var sub = model.SubGraph;

        // Activation tensors first, same ids, names, shapes; int8 with the quantizer's parameters.
        foreach (var t in g.Tensors)
        {
            var ft = sub.Tensors[t.Id];
            Assert.Equal(t.Name, ft.Name);
            Assert.Equal(t.Shape, ft.Shape);
            Assert.Equal(TfLiteType.Int8, ft.Type);
            Assert.Equal(0u, ft.Buffer);
            Assert.Equal(q.Tensors[t.Id].Scale, Assert.Single(ft.Quantization!.Scale));
            Assert.Equal(q.Tensors[t.Id].ZeroPoint, Assert.Single(ft.Quantization!.ZeroPoint));
        }
        Assert.All(sub.Tensors, t => Assert.False(string.IsNullOrEmpty(t.Name)));
        Assert.Equal(sub.Tensors.Count, sub.Tensors.Select(t => t.Name).Distinct().Count());
        Assert.Equal([g.InputTensor], sub.Inputs);
        Assert.Equal([g.OutputTensor], sub.Outputs);
        Assert.Equal((1f / 255f, -128L), (sub.Tensors[g.InputTensor].Quantization!.Scale[0], sub.Tensors[g.InputTensor].Quantization!.ZeroPoint[0]));
        Assert.Equal((1f / 256f, -128L), (sub.Tensors[g.OutputTensor].Quantization!.Scale[0], sub.Tensors[g.OutputTensor].Quantization!.ZeroPoint[0]));

        // Operators in graph order, each writing the graph's output tensor.
        var expected = g.Ops.Select(o => o.Kind switch
        {
            OpKind.ConvKxK or OpKind.Conv1x1 => TfLiteOp.Conv2D,
            OpKind.Depthwise => TfLiteOp.DepthwiseConv2D,
            OpKind.Add => TfLiteOp.Add,
            OpKind.Mean => TfLiteOp.Mean,
            OpKind.FullyConnected => TfLiteOp.FullyConnected,
            _ => TfLiteOp.Softmax,
        }).Select(o => (int)o);
        Assert.Equal(expected, sub.Operators.Select(model.CodeOf));
        Assert.Equal(g.Ops.Select(o => o.Output), sub.Operators.Select(o => Assert.Single(o.Outputs)));
        Assert.Equal(g.Ops.Select(o => o.Inputs[0]), sub.Operators.Select(o => o.Inputs[0]));

        // Per-channel weights and int32 biases, quantized dimension as the spec says.
        foreach (var (op, fop) in q.Ops.Zip(sub.Operators))
        {
            if (op.Weights.Length == 0) continue;
            var w = sub.Tensors[fop.Inputs[1]];
            var b = sub.Tensors[fop.Inputs[2]];
            Assert.Equal(op.Op.Name + ".weights", w.Name);
            Assert.Equal(TfLiteType.Int8, w.Type);
            Assert.Equal(op.QuantizedDimension, w.Quantization!.QuantizedDimension);
            Assert.Equal(op.WeightScales, w.Quantization.Scale);
            Assert.All(w.Quantization.ZeroPoint, z => Assert.Equal(0, z));
            Assert.Equal(op.Weights.Select(v => unchecked((byte)v)), model.DataOf(w).ToArray());
            Assert.Equal(TfLiteType.Int32, b.Type);
            Assert.Equal(0, b.Quantization!.QuantizedDimension);
            Assert.Equal(op.BiasScales, b.Quantization.Scale);
        }

        var data = model.DataConfig!;
        Assert.Equal(resolution, data.Resolution);
        Assert.Equal(channels == 1 ? "gray" : "rgb", data.ColourMode);
        Assert.Equal((1f / 255f, -128L), (data.InputScale, data.InputZeroPoint));
        Assert.Equal(["background", "person", "other"], data.Labels);
        Assert.Equal(PreprocessSpec.Square(resolution, channels == 1 ? ColorMode.Gray : ColorMode.Rgb), PreprocessSpec.Parse(data.Preprocessing));
    }

    [Fact]
    public void TheFloatFileHasTheSameGraphWithFoldedWeights()
    {
        var (folded, _) = Quantize(3, 32);
        var model = TfLiteReader.Read(TfLiteWriter.Write(TfLiteExport.Float(folded, Data(folded, 3), "float")));
        var sub = model.SubGraph;
        foreach (var t in folded.Graph.Tensors)
        {
            Assert.Equal(t.Name, sub.Tensors[t.Id].Name);
            Assert.Equal(TfLiteType.Float32, sub.Tensors[t.Id].Type);
        }
        Assert.Equal(folded.Ops.Count, sub.Operators.Count);
        var stem = sub.Tensors[sub.Operators[0].Inputs[1]];
        Assert.Equal(folded.Ops[0].WeightShape, stem.Shape);
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(model.DataOf(stem).Span).ToArray();
        Assert.Equal(folded.Ops[0].Weights, values);
    }
}
