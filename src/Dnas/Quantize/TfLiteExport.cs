using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Dnas.TfLite;

namespace Dnas.Quantize;

/// <summary>Writes a quantized (or folded float) MobileNetV2 as a TFLite model through the
/// TfLite builder. The model's first tensors are the <see cref="ExecutionGraph"/>'s activation
/// tensors, in the same order and with the same names (so tensor i of the file is graph tensor
/// i, and the arena the runtime plans is the arena the hardware model costed); the constants
/// (<c>&lt;op&gt;.weights</c>, <c>&lt;op&gt;.bias</c>, <c>pool.axes</c>) follow. Operators are
/// the graph's ops in order: CONV_2D / DEPTHWISE_CONV_2D with SAME padding and fused ReLU6
/// where the layer has it, ADD, MEAN over H and W (keep_dims false), FULLY_CONNECTED, SOFTMAX.</summary>
public static class TfLiteExport
{
    /// <summary>The data configuration recorded in the model's <c>dnas_data_config</c> metadata:
    /// resolution, colour, the int8 input's scale and zero point (pixel p ↦ int8 p − 128 ↦ real
    /// p/255; the float model takes that real value directly), the preprocessing and the labels.</summary>
    public static TfLiteDataConfig DataConfig(ExecutionGraph graph, ColorMode color, IReadOnlyList<string> labels)
    {
        var input = graph.Tensors[graph.InputTensor].Shape;
        if (input[1] != input[2])
            throw new ArgumentException($"the data configuration records a square resolution; the input is {input[2]}x{input[1]}");
        return new TfLiteDataConfig(input[1], color == ColorMode.Gray ? "gray" : "rgb", QuantParams.Input.Scale, QuantParams.Input.ZeroPoint,
            PreprocessSpec.Square(input[1], color).ToString(), labels.ToArray());
    }

    /// <summary>The int8 model: int8 input and output, per-channel int8 weights, int32 biases.</summary>
    public static TfLiteModel Int8(QuantizedGraph model, TfLiteDataConfig dataConfig, string description)
    {
        ArgumentNullException.ThrowIfNull(model);
        var b = new TfLiteModelBuilder(description);
        var g = model.Graph;
        foreach (var t in g.Tensors)
        {
            var p = model.Tensors[t.Id];
            b.AddTensor(t.Name, [.. t.Shape], TfLiteType.Int8, new TfLiteQuantization(p.Scale, p.ZeroPoint));
        }
        foreach (var op in model.Ops)
        {
            int weights = -1, bias = -1;
            if (op.Weights.Length > 0)
            {
                var f = op.Float;
                int n = op.WeightScales.Length;
                weights = b.AddConstant(f.Name + ".weights", f.WeightShape, op.Weights,
                    new TfLiteQuantization(op.WeightScales, new long[n], op.QuantizedDimension));
                bias = b.AddConstant(f.Name + ".bias", [f.OutChannels], op.Bias,
                    new TfLiteQuantization(op.BiasScales, new long[op.BiasScales.Length], 0));
            }
            AddOperator(b, op.Float, weights, bias);
        }
        return b.SetInputs(g.InputTensor).SetOutputs(g.OutputTensor).SetDataConfig(dataConfig).Build();
    }

    /// <summary>The float32 model of the same graph (folded weights and biases), for comparison
    /// and for runtimes without int8 kernels.</summary>
    public static TfLiteModel Float(FoldedGraph model, TfLiteDataConfig dataConfig, string description)
    {
        ArgumentNullException.ThrowIfNull(model);
        var b = new TfLiteModelBuilder(description);
        var g = model.Graph;
        foreach (var t in g.Tensors) b.AddTensor(t.Name, [.. t.Shape], TfLiteType.Float32);
        foreach (var op in model.Ops)
        {
            int weights = -1, bias = -1;
            if (op.Weights.Length > 0)
            {
                weights = b.AddConstant(op.Name + ".weights", op.WeightShape, op.Weights);
                bias = b.AddConstant(op.Name + ".bias", [op.OutChannels], op.Bias);
            }
            AddOperator(b, op, weights, bias);
        }
        return b.SetInputs(g.InputTensor).SetOutputs(g.OutputTensor).SetDataConfig(dataConfig).Build();
    }

    private static void AddOperator(TfLiteModelBuilder b, FoldedOp op, int weights, int bias)
    {
        var o = op.Op;
        int x = o.Inputs[0];
        var act = op.Relu6 ? TfLiteActivation.Relu6 : TfLiteActivation.None;
        switch (o.Kind)
        {
            case OpKind.ConvKxK or OpKind.Conv1x1:
                b.AddOperator(TfLiteOp.Conv2D, [x, weights, bias], [o.Output], new Conv2DOptions(TfLitePadding.Same, o.Stride, o.Stride, act));
                break;
            case OpKind.Depthwise:
                b.AddOperator(TfLiteOp.DepthwiseConv2D, [x, weights, bias], [o.Output], new DepthwiseConv2DOptions(TfLitePadding.Same, o.Stride, o.Stride, 1, act));
                break;
            case OpKind.Add:
                b.AddOperator(TfLiteOp.Add, [x, o.Inputs[1]], [o.Output], new AddOptions());
                break;
            case OpKind.Mean:
                int axes = b.AddConstant(o.Name + ".axes", [2], [1, 2]);
                b.AddOperator(TfLiteOp.Mean, [x, axes], [o.Output], new ReducerOptions(KeepDims: false));
                break;
            case OpKind.FullyConnected:
                b.AddOperator(TfLiteOp.FullyConnected, [x, weights, bias], [o.Output], new FullyConnectedOptions());
                break;
            case OpKind.Softmax:
                b.AddOperator(TfLiteOp.Softmax, [x], [o.Output], new SoftmaxOptions(1f));
                break;
            default:
                throw new NotSupportedException($"op '{o.Name}': {o.Kind} has no TFLite export");
        }
    }
}
