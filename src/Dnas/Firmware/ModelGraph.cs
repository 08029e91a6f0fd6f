using System.Buffers.Binary;
using Dnas.Hardware;
using Dnas.TfLite;

namespace Dnas.Firmware;

/// <summary>A .tflite model checked for the firmware: one int8 input [1, H, W, C], one int8
/// output, operators the kernels implement, and the arena: every activation tensor with its
/// lifetime (producing op to last reader; the input from op 0, the output to the last op),
/// planned by <see cref="ArenaPlanner"/> — the planner of the hardware model, TFLM's greedy
/// algorithm. A RESHAPE or ADD whose (first) input dies at it writes over that input in place.</summary>
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
    private readonly Dictionary<int, int> _slot = [];

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
            var code = producer >= 0 ? (TfLiteOp)model.CodeOf(g.Operators[producer]) : (TfLiteOp)(-1);
            // In place: RESHAPE (same bytes) and ADD over its first input when that input dies
            // there (each output element depends only on the same element of the inputs), as the
            // hardware model's ExecutionGraph.PlannedTensors(inPlaceAdd: true) assumes.
            if (code is TfLiteOp.Reshape or TfLiteOp.Add)
            {
                int src = g.Operators[producer].Inputs[0];
                if (last[src] == producer && src != Input && src != Output && IsActivation(src)
                    && model.Tensor(src).ElementCount >= model.Tensor(t).ElementCount
                    && !planned.Any(p => p.ReuseOf == _slot[src]))
                    reuse = _slot[src];
            }
            planned.Add(new PlannedTensor(model.Tensor(t).Name, model.Tensor(t).ElementCount, first[t], last[t], reuse));
        }
        Planned = planned;
        Plan = PlanWithOverlap(planned, last);
    }

    /// <summary>The arena entries of the C engine: <see cref="Planned"/>, plus one saving TFLM
    /// does not make. A 1x1 stride-1 CONV_2D (run by <c>dnas_pointwise_conv</c>, which reads one
    /// input pixel into scratch before writing that pixel's outputs) may write its output over
    /// its dying input, as long as no output pixel lands on an input pixel still to be read:
    /// its output is planned as if born one op later (so the planner may overlap the two), then
    /// the placement is checked; the pixel order (ascending or descending) that makes it safe is
    /// recorded in <see cref="PixelOrder"/>, and an op for which neither order is safe is
    /// planned again without the saving.</summary>
    public IReadOnlyList<PlannedTensor> EnginePlanned { get; private set; } = [];

    /// <summary>For each operator that overlaps its input and output: true to process pixels in descending order.</summary>
    public IReadOnlyDictionary<int, bool> PixelOrder => _descending;
    private readonly Dictionary<int, bool> _descending = [];

    /// <summary>True when operator <paramref name="op"/> is a CONV_2D with a 1x1 filter and stride 1.</summary>
    public bool IsPointwise(TfLiteOperator op) =>
        (TfLiteOp)Model.CodeOf(op) == TfLiteOp.Conv2D && op.Options is Conv2DOptions { StrideW: 1, StrideH: 1 }
        && Model.Tensor(op.Inputs[1]).Shape is [_, 1, 1, _];

    private ArenaPlan PlanWithOverlap(List<PlannedTensor> planned, Dictionary<int, int> last)
    {
        var shared = new HashSet<int>();
        for (int k = 0; k < planned.Count; k++)
            if (planned[k].ReuseOf is int r) { shared.Add(k); shared.Add(r); }
        var ops = Model.SubGraph.Operators;
        var candidates = new List<int>();
        for (int i = 0; i < ops.Count; i++)
        {
            if (!IsPointwise(ops[i])) continue;
            int a = ops[i].Inputs[0], b = ops[i].Outputs[0];
            if (a == Input || !_slot.ContainsKey(a) || last[a] != i || last[b] <= i) continue;
            if (shared.Contains(_slot[a]) || shared.Contains(_slot[b])) continue;
            candidates.Add(i);
        }
        while (true)
        {
            var entries = new List<PlannedTensor>(planned);
            foreach (int i in candidates)
            {
                int sb = _slot[ops[i].Outputs[0]];
                entries[sb] = entries[sb] with { FirstUse = i + 1 };
            }
            var plan = ArenaPlanner.Plan(entries);
            _descending.Clear();
            var unsafeOps = new List<int>();
            foreach (int i in candidates)
            {
                var order = SafeOrder(ops[i], plan);
                if (order is bool descending) _descending[i] = descending;
                else unsafeOps.Add(i);
            }
            if (unsafeOps.Count == 0)
            {
                EnginePlanned = entries;
                return plan;
            }
            candidates.RemoveAll(unsafeOps.Contains);
        }
    }

    /// <summary>Pixel order in which writing output pixel p (after reading input pixel p) never
    /// overwrites an input pixel still to be read; null when there is none.</summary>
    private bool? SafeOrder(TfLiteOperator op, ArenaPlan plan)
    {
        int a = op.Inputs[0], b = op.Outputs[0];
        long ib = plan.OffsetOf(_slot[a]), ob = plan.OffsetOf(_slot[b]);
        long cin = Model.Tensor(a).Shape[^1], cout = Model.Tensor(b).Shape[^1], n = Model.Tensor(a).ElementCount / cin;
        if (ob + n * cout <= ib || ib + n * cin <= ob) return false;             // disjoint
        long d = ob - ib, delta = cin - cout;
        long ascendingMax = delta >= 0 ? delta : (n - 1) * delta;                // min over p of (p+1)·delta, p < n-1
        long descendingMin = delta >= 0 ? (n - 1) * delta : delta;               // max over p ≥ 1 of p·delta
        if (n == 1 || d <= ascendingMax) return false;
        if (d >= descendingMin) return true;
        return null;
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
