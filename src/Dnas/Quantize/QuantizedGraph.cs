using Dnas.Hardware;

namespace Dnas.Quantize;

/// <summary>One op's int8 constants: weights in [−127, 127] with one scale per output channel
/// (CONV_2D on dim 0, DEPTHWISE_CONV_2D on dim 3) or one for the whole tensor
/// (FULLY_CONNECTED), and int32 biases with scale input_scale · weight_scale[c], zero point 0.</summary>
public sealed record QuantizedOp(FoldedOp Float, sbyte[] Weights, float[] WeightScales, int[] Bias, float[] BiasScales)
{
    public GraphOp Op => Float.Op;
    /// <summary>The weight dimension the scales run along (TFLite's quantized_dimension).</summary>
    public int QuantizedDimension => Float.Kind == OpKind.Depthwise ? 3 : 0;
    public bool PerChannel => WeightScales.Length > 1 || Float.Kind != OpKind.FullyConnected;
}

/// <summary>The folded float graph with int8 parameters for every tensor and int8/int32
/// constants for every op: everything the .tflite writer needs.</summary>
public sealed class QuantizedGraph
{
    public FoldedGraph Float { get; }
    /// <summary>Indexed like <see cref="ExecutionGraph.Tensors"/>.</summary>
    public IReadOnlyList<QuantParams> Tensors { get; }
    /// <summary>The calibrated ranges the parameters came from (same indexing).</summary>
    public IReadOnlyList<TensorRange> Ranges { get; }
    public IReadOnlyList<QuantizedOp> Ops { get; }
    public ExecutionGraph Graph => Float.Graph;

    internal QuantizedGraph(FoldedGraph model, IReadOnlyList<QuantParams> tensors, IReadOnlyList<TensorRange> ranges, IReadOnlyList<QuantizedOp> ops)
    {
        Float = model; Tensors = tensors; Ranges = ranges; Ops = ops;
    }
}
