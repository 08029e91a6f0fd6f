using System.Buffers.Binary;
using Dnas.Hardware;
using Dnas.TfLite;

namespace Dnas.Firmware;

/// <summary>A .tflite model checked for the firmware: one int8 input [1, H, W, C], one int8
/// output, operators the kernels implement, and the arena: every activation tensor with its
/// lifetime (producing op to last reader; the input from op 0, the output to the last op),
/// planned by <see cref="ArenaPlanner"/> — the planner of the hardware model, TFLM's greedy
/// algorithm. A RESHAPE whose input dies at it reuses the input's buffer in place.</summary>
public sealed class ModelGraph
{
    public static readonly IReadOnlySet<TfLiteOp> Supported = new HashSet<TfLiteOp>
    {
        TfLiteOp.Conv2D, TfLiteOp.DepthwiseConv2D, TfLiteOp.FullyConnected, TfLiteOp.Add, TfLiteOp.AveragePool2D,
        TfLiteOp.MaxPool2D, TfLiteOp.Mean, TfLiteOp.Softmax, TfLiteOp.Pad, TfLiteOp.Reshape,
    };

    public TfLiteModel Model { get; }
    public string Source { get; }
    public int Input { get; }
    public int Output { get; }
    /// <summary>Activation tensors in the arena (tensor indices, planner order).</summary>
    public IReadOnlyList<int> Activations { get; }
    public IReadOnlyList<PlannedTensor> Planned { get; }
    public ArenaPlan Plan { get; }
    private readonly Dictionary<int, int> _slot;

    public ModelGraph(TfLiteModel model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Source = source;
        var g = model.SubGraph;
        if (model.SubGraphCount != 1) throw Error($"has {model.SubGraphCount} subgraphs; the firmware runs single-subgraph models (as TFLite Micro)");
        if (g.Inputs.Count != 1 || g.Outputs.Count != 1)
            throw Error($"has {g.Inputs.Count} inputs and {g.Outputs.Count} outputs; the firmware handles one image input and one output");
        Input = g.Inputs[0];
        Output = g.Outputs[0];
        var input = model.Tensor(Input);
        if (input.Type != TfLiteType.Int8 || input.Shape.Length != 4 || input.Shape[0] != 1 || input.Shape[3] is not (1 or 3))
            throw Error($"input tensor '{input.Name}' is {TfLiteNames.Type(input.Type)} [{string.Join(", ", input.Shape)}]; " +
                "the firmware needs an int8 image [1, H, W, 1 or 3] (quantize the model with int8 input, e.g. dnas export)");
        if (model.Tensor(Output).Type != TfLiteType.Int8)
            throw Error($"output tensor '{model.Tensor(Output).Name}' is {TfLiteNames.Type(model.Tensor(Output).Type)}; the firmware needs int8 output");
        RequireQuantized(Input);
        RequireQuantized(Output);

        int ops = g.Operators.Count;
        if (ops == 0) throw Error("has no operators");
        var first = new Dictionary<int, int> { [Input] = 0 };
        var last = new Dictionary<int, int> { [Input] = 0 };
        for (int i = 0; i < ops; i++)
        {
            var op = g.Operators[i];
            var code = (TfLiteOp)model.CodeOf(op);
            if (model.OperatorCodes[op.OpcodeIndex].CustomCode is { } custom || !Supported.Contains(code))
                throw Error($"operator {i} is {TfLiteNames.Op(model.CodeOf(op), model.OperatorCodes[op.OpcodeIndex].CustomCode)}, which the firmware kernels do not implement " +
                    $"(supported: {string.Join(", ", Supported.Select(s => TfLiteNames.Op((int)s)).Order())})");
            foreach (int t in op.Inputs.Where(t => t >= 0 && IsActivation(t)))
            {
                if (!first.ContainsKey(t)) throw Error($"operator {i} ({TfLiteNames.Op((int)code)}) reads tensor {t} '{model.Tensor(t).Name}' before any operator writes it");
                last[t] = i;
            }
            foreach (int t in op.Outputs)
            {
                if (model.Tensor(t).Type != TfLiteType.Int8)
                    throw Error($"operator {i} ({TfLiteNames.Op((int)code)}) writes tensor '{model.Tensor(t).Name}' of type {TfLiteNames.Type(model.Tensor(t).Type)}; the firmware kernels are int8 only");
                first[t] = i;
                last[t] = i;
            }
        }
        if (!first.ContainsKey(Output)) throw Error($"no operator writes the output tensor '{model.Tensor(Output).Name}'");
        last[Output] = ops - 1;

        Activations = first.Keys.Order().ToList();
        _slot = Activations.Select((t, k) => (t, k)).ToDictionary(x => x.t, x => x.k);
        var planned = new List<PlannedTensor>();
        foreach (int t in Activations)
        {
            int? reuse = null;
            int producer = t == Input ? -1 : first[t];
            if (producer >= 0 && (TfLiteOp)model.CodeOf(g.Operators[producer]) == TfLiteOp.Reshape)
            {
                int src = g.Operators[producer].Inputs[0];
                if (last[src] == producer && src != Input && src != Output) reuse = _slot[src];
            }
            planned.Add(new PlannedTensor(model.Tensor(t).Name, model.Tensor(t).ElementCount, first[t], last[t], reuse));
        }
        Planned = planned;
        Plan = ArenaPlanner.Plan(planned);
    }

    public bool IsActivation(int tensor) => Model.DataOf(Model.Tensor(tensor)).IsEmpty;

    /// <summary>Byte offset of an activation tensor in the arena.</summary>
    public long Offset(int tensor) => Plan.OffsetOf(_slot[tensor]);

    public TfLiteTensor Tensor(int index) => Model.Tensor(index);

    public (float Scale, int ZeroPoint) Quant(int tensor)
    {
        var q = RequireQuantized(tensor);
        return (q.Scale[0], (int)q.ZeroPoint[0]);
    }

    public TfLiteQuantization RequireQuantized(int tensor)
    {
        var q = Model.Tensor(tensor).Quantization;
        if (q is null || q.Scale.Length == 0 || q.ZeroPoint.Length == 0)
            throw Error($"tensor {tensor} '{Model.Tensor(tensor).Name}' has no quantization parameters; the firmware needs a fully int8-quantized model");
        return q;
    }

    public sbyte[] Int8Data(int tensor)
    {
        var t = Model.Tensor(tensor);
        var data = Model.DataOf(t).Span;
        if (t.Type != TfLiteType.Int8 || data.Length != t.ElementCount)
            throw Error($"tensor {tensor} '{t.Name}' should be an int8 constant of {t.ElementCount} values but is {TfLiteNames.Type(t.Type)} with {data.Length} bytes");
        var values = new sbyte[data.Length];
        for (int i = 0; i < data.Length; i++) values[i] = unchecked((sbyte)data[i]);
        return values;
    }

    public int[] Int32Data(int tensor)
    {
        var t = Model.Tensor(tensor);
        var data = Model.DataOf(t).Span;
        if (t.Type != TfLiteType.Int32 || data.Length != t.ElementCount * 4)
            throw Error($"tensor {tensor} '{t.Name}' should be an int32 constant of {t.ElementCount} values but is {TfLiteNames.Type(t.Type)} with {data.Length} bytes");
        var values = new int[t.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]);
        return values;
    }

    public FirmwareException Error(string message) => new($"{Source}: {message}");
}
