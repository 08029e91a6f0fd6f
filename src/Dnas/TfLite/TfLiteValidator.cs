namespace Dnas.TfLite;

/// <summary>Checks a model before it is written. Refuses everything in TFLITE.md's "what each
/// runtime catches" table (each is silently accepted by at least one runtime, so the writer is
/// the only reliable place to stop it) and every dangling index, naming the tensor or operator.</summary>
public static class TfLiteValidator
{
    public const float SoftmaxOutputScale = 1f / 256;
    public const long SoftmaxOutputZeroPoint = -128;

    /// <exception cref="TfLiteFormatException">The first problem found.</exception>
    public static void Validate(TfLiteModel model)
    {
        var problems = Problems(model);
        if (problems.Count > 0)
            throw new TfLiteFormatException(problems.Count == 1 ? problems[0] : $"{problems[0]} (and {problems.Count - 1} more: {string.Join("; ", problems.Skip(1).Take(5))})");
    }

    public static List<string> Problems(TfLiteModel model)
    {
        var p = new List<string>();
        var g = model.SubGraph;
        if (model.Version != 3) p.Add($"schema version {model.Version}; write version 3");
        if (model.SubGraphCount != 1) p.Add($"the model had {model.SubGraphCount} subgraphs; only one can be written");
        if (model.Buffers.Count == 0) p.Add("there is no buffer 0: the first buffer must exist and be empty");
        else if (!model.Buffers[0].Data.IsEmpty)
        {
            var users = g.Tensors.Where(t => t.Buffer == 0).Select(t => $"'{t.Name}'").Take(3).ToList();
            p.Add($"buffer 0 holds {model.Buffers[0].Data.Length} bytes; it must be the empty sentinel (TFLite Micro would read it as the data of tensors without constants{(users.Count > 0 ? ", e.g. " + string.Join(", ", users) : "")})");
        }
        for (int i = 0; i < g.Tensors.Count; i++) CheckTensor(model, i, p);
        foreach (int i in g.Inputs.Concat(g.Outputs))
            if (i < 0 || i >= g.Tensors.Count) p.Add($"subgraph input/output {i} is not a tensor index (there are {g.Tensors.Count})");
        for (int o = 0; o < g.Operators.Count; o++) CheckOperator(model, o, p);
        foreach (var m in model.Metadata)
            if (m.Buffer >= model.Buffers.Count) p.Add($"metadata '{m.Name}' names buffer {m.Buffer}, but there are {model.Buffers.Count}");
        for (int i = 0; i < model.OperatorCodes.Count; i++)
            if (model.OperatorCodes[i].BuiltinCode < 0) p.Add($"operator code {i}: negative builtin code {model.OperatorCodes[i].BuiltinCode}");
        return p;
    }

    private static void CheckTensor(TfLiteModel model, int index, List<string> p)
    {
        var t = model.SubGraph.Tensors[index];
        string name = string.IsNullOrEmpty(t.Name) ? $"tensor {index}" : $"tensor {index} '{t.Name}'";
        if (string.IsNullOrEmpty(t.Name)) p.Add($"{name} has no name; every tensor needs one");
        if (t.Shape.Any(d => d < 0)) p.Add($"{name}: shape [{string.Join(",", t.Shape)}] has a negative dimension");
        if (t.Buffer >= model.Buffers.Count) p.Add($"{name}: buffer {t.Buffer} does not exist ({model.Buffers.Count} buffers)");
        else if (t.Buffer != 0)
        {
            long have = model.Buffers[(int)t.Buffer].Data.Length;
            if (have != 0 && have != t.Bytes) p.Add($"{name}: buffer {t.Buffer} holds {have} bytes, but shape [{string.Join(",", t.Shape)}] of {TfLiteNames.Type(t.Type)} needs {t.Bytes}");
        }
        if (t.Quantization is not { IsEmpty: false } q) return;
        if (q.ZeroPoint.Length != q.Scale.Length)
            p.Add($"{name}: {q.ZeroPoint.Length} zero points for {q.Scale.Length} scales; the counts must be equal");
        if (t.Shape.Length > 0 && (q.QuantizedDimension < 0 || q.QuantizedDimension >= t.Shape.Length))
            p.Add($"{name}: quantized_dimension {q.QuantizedDimension} is not a dimension of shape [{string.Join(",", t.Shape)}] (a bias must use 0)");
        else if (q.Scale.Length > 1 && t.Shape.Length > 0 && t.Shape[q.QuantizedDimension] != q.Scale.Length)
            p.Add($"{name}: {q.Scale.Length} scales along dimension {q.QuantizedDimension} of size {t.Shape[q.QuantizedDimension]}");
        foreach (float s in q.Scale)
            if (!(s > 0) || !float.IsFinite(s)) { p.Add($"{name}: scale {s} is not a positive finite number"); break; }
    }

    private static void CheckOperator(TfLiteModel model, int index, List<string> p)
    {
        var g = model.SubGraph;
        var op = g.Operators[index];
        if (op.OpcodeIndex < 0 || op.OpcodeIndex >= model.OperatorCodes.Count)
        {
            p.Add($"operator {index}: opcode index {op.OpcodeIndex} does not exist ({model.OperatorCodes.Count} operator codes)");
            return;
        }
        int code = model.CodeOf(op);
        string what = $"operator {index} ({TfLiteNames.Op(code)})";
        foreach (int i in op.Inputs)
            if (i < -1 || i >= g.Tensors.Count) p.Add($"{what}: input {i} is not a tensor index");
        foreach (int i in op.Outputs)
            if (i < 0 || i >= g.Tensors.Count) p.Add($"{what}: output {i} is not a tensor index");
        if (op.Options is UnknownOptions u) p.Add($"{what}: options of union type {u.Type} cannot be written");
        if (op.Outputs.Any(i => i < 0 || i >= g.Tensors.Count) || op.Inputs.Any(i => i < -1 || i >= g.Tensors.Count)) return;

        if (code == (int)TfLiteOp.Softmax && op.Outputs.Length > 0)
        {
            var o = g.Tensors[op.Outputs[0]];
            if (o.Type == TfLiteType.Int8 && (o.Quantization is not { Scale.Length: 1, ZeroPoint.Length: 1 } q
                || q.Scale[0] != SoftmaxOutputScale || q.ZeroPoint[0] != SoftmaxOutputZeroPoint))
                p.Add($"{what}: output tensor '{o.Name}' must be quantized with scale exactly 1/256 and zero point -128 " +
                      $"(has {Describe(o.Quantization)}); TFLite Micro rejects anything else");
        }
        bool hasBias = code is (int)TfLiteOp.Conv2D or (int)TfLiteOp.DepthwiseConv2D or (int)TfLiteOp.FullyConnected;
        if (hasBias && op.Inputs.Length > 2 && op.Inputs[2] >= 0 && g.Tensors[op.Inputs[2]].Quantization is { IsEmpty: false } bq
            && bq.QuantizedDimension != 0)
            p.Add($"{what}: bias tensor '{g.Tensors[op.Inputs[2]].Name}' has quantized_dimension {bq.QuantizedDimension}; a bias must use 0 (LiteRT and Arm NN reject anything else)");
    }

    private static string Describe(TfLiteQuantization? q) =>
        q is null || q.IsEmpty ? "no quantization" : $"scale {string.Join(",", q.Scale.Take(3))} zero point {string.Join(",", q.ZeroPoint.Take(3))}";
}
