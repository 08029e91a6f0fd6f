using Dnas.Engine;
using Dnas.Engine.Models;

namespace Dnas.Hardware;

/// <summary>An activation tensor of the int8 graph (constants are not arena tensors).
/// Shape is NHWC for feature maps, [1, C] after the pool. Bytes = elements x element size.</summary>
public sealed record GraphTensor(int Id, string Name, IReadOnlyList<int> Shape, int ElementBytes)
{
    public long Elements => Shape.Aggregate(1L, (a, d) => a * d);
    public long Bytes => Elements * ElementBytes;
    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}

/// <summary>One op of the int8 graph in execution order, with what it costs in constants.
/// <see cref="WeightBytes"/>: int8 weights; <see cref="BiasBytes"/>: int32 biases (one per
/// output channel, BN folded in); <see cref="QuantBytes"/>: requantization data, an int32
/// multiplier and an int32 shift per output channel for the per-channel CONV_2D and
/// DEPTHWISE_CONV_2D, one pair for the per-tensor FULLY_CONNECTED.</summary>
public sealed record GraphOp(
    int Index, string Name, OpKind Kind, IReadOnlyList<int> Inputs, int Output,
    int Kernel, int Stride, long Macs, long WeightBytes, long BiasBytes, long QuantBytes)
{
    /// <summary>Trainable parameters this op holds after BN folding: weights + biases.</summary>
    public long Params => WeightBytes + BiasBytes / 4;
}

/// <summary>The int8 execution graph of a MobileNetV2 as the exporter and the firmware emit
/// it: stem CONV_2D; per block an expansion CONV_2D 1x1 (when t != 1), DEPTHWISE_CONV_2D,
/// projection CONV_2D 1x1 and, with a residual, ADD; head CONV_2D 1x1; MEAN over H,W;
/// FULLY_CONNECTED; SOFTMAX. Activations are int8 (one byte per element).</summary>
public sealed class ExecutionGraph
{
    public MobileNetV2Spec Spec { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }
    public IReadOnlyList<GraphTensor> Tensors => _tensors;
    public IReadOnlyList<GraphOp> Ops => _ops;
    /// <summary>Id of the model's input tensor.</summary>
    public int InputTensor { get; }
    /// <summary>Id of the model's output tensor (the softmax probabilities).</summary>
    public int OutputTensor { get; private set; }

    private readonly List<GraphTensor> _tensors = [];
    private readonly List<GraphOp> _ops = [];

    private ExecutionGraph(MobileNetV2Spec spec, int height, int width)
    {
        Spec = spec; InputHeight = height; InputWidth = width;
        InputTensor = AddTensor("input", [1, height, width, spec.InChannels]);
    }

    /// <summary>Builds the graph of <paramref name="spec"/> for an input of
    /// <paramref name="height"/> x <paramref name="width"/> pixels (channels from the spec).</summary>
    public static ExecutionGraph Build(MobileNetV2Spec spec, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"input resolution must be positive, got {width}x{height}");
        var g = new ExecutionGraph(spec, height, width);
        int x = g.Conv("stem", OpKind.ConvKxK, g.InputTensor, spec.StemChannels, 3, 2);
        for (int i = 0; i < spec.Blocks.Count; i++)
        {
            var b = spec.Blocks[i];
            int inCh = g.Channels(x);
            string name = $"blocks.{i}";
            int h = x;
            if (b.Expand != 1) h = g.Conv(name + ".expand", OpKind.Conv1x1, h, inCh * b.Expand, 1, 1);
            h = g.Conv(name + ".dw", OpKind.Depthwise, h, g.Channels(h), b.Kernel, b.Stride);
            h = g.Conv(name + ".project", OpKind.Conv1x1, h, b.Out, 1, 1);
            if (b.Stride == 1 && inCh == b.Out)
            {
                int sum = g.AddTensor(name + ".add", g._tensors[h].Shape.ToArray());
                g.AddOp(name + ".add", OpKind.Add, [h, x], sum, 0, 1, 0, 0, 0, 0);
                h = sum;
            }
            x = h;
        }
        x = g.Conv("head", OpKind.Conv1x1, x, spec.HeadChannels, 1, 1);
        int c = g.Channels(x);
        int pooled = g.AddTensor("pool", [1, c]);
        g.AddOp("pool", OpKind.Mean, [x], pooled, 0, 1, 0, 0, 0, 0);
        int logits = g.AddTensor("classifier", [1, spec.Classes]);
        g.AddOp("classifier", OpKind.FullyConnected, [pooled], logits, 1, 1,
            (long)c * spec.Classes, (long)c * spec.Classes, 4L * spec.Classes, 8);
        int probs = g.AddTensor("softmax", [1, spec.Classes]);
        g.AddOp("softmax", OpKind.Softmax, [logits], probs, 0, 1, 0, 0, 0, 0);
        g.OutputTensor = probs;
        return g;
    }

    private int Channels(int tensor) => _tensors[tensor].Shape[^1];

    private int AddTensor(string name, int[] shape)
    {
        _tensors.Add(new GraphTensor(_tensors.Count, name, shape, 1));
        return _tensors.Count - 1;
    }

    private void AddOp(string name, OpKind kind, int[] inputs, int output, int kernel, int stride,
        long macs, long weightBytes, long biasBytes, long quantBytes)
        => _ops.Add(new GraphOp(_ops.Count, name, kind, inputs, output, kernel, stride, macs, weightBytes, biasBytes, quantBytes));

    private int Conv(string name, OpKind kind, int input, int outCh, int kernel, int stride)
    {
        var s = _tensors[input].Shape;
        int inCh = s[3];
        int oh = Padding.SameOutput(s[1], stride), ow = Padding.SameOutput(s[2], stride);
        int output = AddTensor(name, [1, oh, ow, outCh]);
        long weights = kind == OpKind.Depthwise ? (long)kernel * kernel * outCh : (long)outCh * kernel * kernel * inCh;
        long macsPerPixel = kind == OpKind.Depthwise ? (long)kernel * kernel * outCh : weights;
        AddOp(name, kind, [input], output, kernel, stride, (long)oh * ow * macsPerPixel, weights, 4L * outCh, 8L * outCh);
        return output;
    }

    /// <summary>First op using each tensor (producing it; 0 for the graph input) and the last op
    /// reading it (the last op for the graph output, which must survive the invocation).</summary>
    public (int First, int Last)[] Lifetimes()
    {
        var life = new (int First, int Last)[_tensors.Count];
        for (int t = 0; t < life.Length; t++) life[t] = (-1, -1);
        life[InputTensor] = (0, 0);
        foreach (var op in _ops)
        {
            foreach (int i in op.Inputs) life[i].Last = Math.Max(life[i].Last, op.Index);
            life[op.Output].First = op.Index;
            life[op.Output].Last = Math.Max(life[op.Output].Last, op.Index);
        }
        life[OutputTensor].Last = _ops.Count - 1;
        return life;
    }

    /// <summary>The arena tensors of this graph for <see cref="ArenaPlanner.Plan"/>, indexed like
    /// <see cref="Tensors"/>. With <paramref name="inPlaceAdd"/>, a residual ADD writes over its
    /// first input (the projection output) when that input dies at the ADD, which is legal for
    /// an elementwise op and saves one feature map; TFLite Micro's planner does not do this, so
    /// a TFLM drop-in should plan without it.</summary>
    public IReadOnlyList<PlannedTensor> PlannedTensors(bool inPlaceAdd)
    {
        var life = Lifetimes();
        var list = new PlannedTensor[_tensors.Count];
        for (int t = 0; t < list.Length; t++)
            list[t] = new PlannedTensor(_tensors[t].Name, _tensors[t].Bytes, life[t].First, life[t].Last);
        if (inPlaceAdd)
            foreach (var op in _ops)
            {
                if (op.Kind != OpKind.Add) continue;
                int src = op.Inputs[0];
                if (life[src].Last == op.Index && _tensors[src].Bytes >= _tensors[op.Output].Bytes && src != InputTensor)
                    list[op.Output] = list[op.Output] with { ReuseOf = src };
            }
        return list;
    }
}
