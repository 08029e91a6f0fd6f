using Dnas.Engine.Layers;
using Dnas.Engine.Models;
using Dnas.Hardware;

namespace Dnas.Quantize;

/// <summary>One op of the folded float graph: the <see cref="GraphOp"/> of the execution graph
/// it implements, with its constants in TFLite layouts (CONV_2D [O,KH,KW,I], DEPTHWISE_CONV_2D
/// [1,KH,KW,C], FULLY_CONNECTED [O,I]) and a bias per output channel. Ops without constants
/// (ADD, MEAN, SOFTMAX) have empty arrays.</summary>
public sealed record FoldedOp(GraphOp Op, float[] Weights, int[] WeightShape, float[] Bias, bool Relu6)
{
    public OpKind Kind => Op.Kind;
    public string Name => Op.Name;
    public int Output => Op.Output;
    /// <summary>Output channels (the bias length) of an op with constants.</summary>
    public int OutChannels => Bias.Length;
}

/// <summary>A MobileNetV2 with batch norm folded into its convolutions and ReLU6 fused: the
/// float model the exporter quantizes and writes. Its ops and tensors are the
/// <see cref="ExecutionGraph"/>'s, one for one, so the exported graph is the graph the hardware
/// model costed.</summary>
public sealed class FoldedGraph
{
    public ExecutionGraph Graph { get; }
    public IReadOnlyList<FoldedOp> Ops { get; }
    public MobileNetV2Spec Spec => Graph.Spec;

    private FoldedGraph(ExecutionGraph graph, IReadOnlyList<FoldedOp> ops) { Graph = graph; Ops = ops; }

    /// <summary>Folds <paramref name="net"/>'s inference-mode batch norm (running statistics)
    /// into its convolutions for an input of <paramref name="height"/> x <paramref name="width"/>:
    /// a = gamma / sqrt(var + eps) per output channel, W' = W·a, b' = beta − mean·a. The scale
    /// is computed in double and rounded to float exactly as the engine's inference batch norm
    /// does, so the folded graph differs from the engine only by the order of float operations.</summary>
    public static FoldedGraph Fold(MobileNetV2 net, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(net);
        var graph = ExecutionGraph.Build(net.Spec, height, width);
        var convs = net.ConvLayers().ToArray();
        var ops = new List<FoldedOp>(graph.Ops.Count);
        int next = 0;
        foreach (var op in graph.Ops)
        {
            switch (op.Kind)
            {
                case OpKind.ConvKxK or OpKind.Conv1x1 or OpKind.Depthwise:
                    if (next >= convs.Length)
                        throw new InvalidOperationException($"execution graph op '{op.Name}' has no convolution left in the network");
                    ops.Add(FoldConv(op, convs[next++]));
                    break;
                case OpKind.FullyConnected:
                    var fc = net.Classifier;
                    ops.Add(new FoldedOp(op, (float[])fc.Weight.Value.Clone(), [fc.Out, fc.In], (float[])fc.Bias.Value.Clone(), false));
                    break;
                default:
                    ops.Add(new FoldedOp(op, [], [], [], false));
                    break;
            }
        }
        if (next != convs.Length)
            throw new InvalidOperationException($"the network has {convs.Length} convolutions but its execution graph uses {next}");
        return new FoldedGraph(graph, ops);
    }

    private static FoldedOp FoldConv(GraphOp op, ConvBn layer)
    {
        bool depthwise = layer.Kind == ConvKind.Depthwise;
        if (depthwise != (op.Kind == OpKind.Depthwise) || layer.Kernel != op.Kernel || layer.Stride != op.Stride)
            throw new InvalidOperationException($"execution graph op '{op.Name}' ({op.Kind}, k{op.Kernel} s{op.Stride}) does not match layer '{layer.Weight.Name}' ({layer.Kind}, k{layer.Kernel} s{layer.Stride})");
        int outCh = layer.OutChannels;
        var scale = new float[outCh];
        var bias = new float[outCh];
        for (int c = 0; c < outCh; c++)
        {
            scale[c] = (float)(layer.Gamma.Value[c] / Math.Sqrt(layer.RunningVar[c] + (double)ConvBn.BnEps));
            bias[c] = layer.Beta.Value[c] - layer.RunningMean[c] * scale[c];
        }
        var w = (float[])layer.Weight.Value.Clone();
        if (depthwise)
        {
            // [1,K,K,C]: the channel is the innermost index.
            for (int i = 0; i < w.Length; i++) w[i] *= scale[i % outCh];
        }
        else
        {
            // [O,K,K,I]: each output channel is a contiguous block.
            int per = w.Length / outCh;
            for (int i = 0; i < w.Length; i++) w[i] *= scale[i / per];
        }
        return new FoldedOp(op, w, (int[])layer.Weight.Shape.Clone(), bias, layer.Relu6);
    }
}
