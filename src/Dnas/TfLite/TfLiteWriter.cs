namespace Dnas.TfLite;

/// <summary>Writes a <see cref="TfLiteModel"/> as a .tflite flatbuffer: schema version 3,
/// identifier TFL3, buffer data 16-byte aligned, operator codes with
/// deprecated_builtin_code = min(code, 127) and builtin_code = code. Before writing it runs
/// <see cref="TfLiteValidator"/>, which refuses every mistake some runtime does not catch.</summary>
public static class TfLiteWriter
{
    public static byte[] Write(TfLiteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        TfLiteValidator.Validate(model);
        var root = new FbTableNode()
            .U32(0, model.Version)
            .Ref(1, new FbTableVector(model.OperatorCodes.Select(OperatorCode).ToList()))
            .Ref(2, new FbTableVector([SubGraph(model.SubGraph)]))
            .Ref(3, model.Description is null ? null : new FbString(model.Description))
            .Ref(4, new FbTableVector(model.Buffers.Select(Buffer).ToList()));
        if (model.Metadata.Count > 0)
            root.Ref(6, new FbTableVector(model.Metadata.Select(m => (FbNode)new FbTableNode().Ref(0, new FbString(m.Name)).U32(1, m.Buffer)).ToList()));
        return FlatBufferBuilder.Finish(root, "TFL3");
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (temporary file + rename).</summary>
    public static void WriteFile(TfLiteModel model, string path)
    {
        byte[] bytes = Write(model);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    private static FbNode OperatorCode(TfLiteOperatorCode c)
    {
        var t = new FbTableNode().I8(0, (sbyte)Math.Min(c.BuiltinCode, 127)).I32(2, c.Version).I32(3, c.BuiltinCode);
        return t.Ref(1, c.CustomCode is null ? null : new FbString(c.CustomCode));
    }

    private static FbNode Buffer(TfLiteBuffer b) =>
        b.Data.IsEmpty ? new FbTableNode() : new FbTableNode().Ref(0, FbScalarVector.OfBytes(b.Data.Span, 16));

    private static FbNode SubGraph(TfLiteSubGraph g)
    {
        var t = new FbTableNode()
            .Ref(0, new FbTableVector(g.Tensors.Select(Tensor).ToList()))
            .Ref(1, FbScalarVector.Of(g.Inputs.ToArray()))
            .Ref(2, FbScalarVector.Of(g.Outputs.ToArray()))
            .Ref(3, new FbTableVector(g.Operators.Select(Operator).ToList()));
        return t.Ref(4, g.Name is null ? null : new FbString(g.Name));
    }

    private static FbNode Tensor(TfLiteTensor t)
    {
        var node = new FbTableNode()
            .Ref(0, FbScalarVector.Of(t.Shape))
            .U8(1, (byte)t.Type)
            .U32(2, t.Buffer)
            .Ref(3, new FbString(t.Name));
        if (t.Quantization is { IsEmpty: false } q)
        {
            var qn = new FbTableNode()
                .Ref(0, q.Min is null ? null : FbScalarVector.Of(q.Min))
                .Ref(1, q.Max is null ? null : FbScalarVector.Of(q.Max))
                .Ref(2, FbScalarVector.Of(q.Scale))
                .Ref(3, FbScalarVector.Of(q.ZeroPoint))
                .I32(6, q.QuantizedDimension);
            node.Ref(4, qn);
        }
        if (t.IsVariable) node.Bool(5, true);
        return node;
    }

    private static FbNode Operator(TfLiteOperator o)
    {
        var node = new FbTableNode()
            .U32(0, (uint)o.OpcodeIndex)
            .Ref(1, FbScalarVector.Of(o.Inputs))
            .Ref(2, FbScalarVector.Of(o.Outputs));
        if (o.Options is { } options)
        {
            node.U8(3, options.UnionType);
            node.Ref(4, Options(options));
        }
        return node;
    }

    private static FbTableNode Options(TfLiteOptions options) => options switch
    {
        Conv2DOptions c => new FbTableNode().I8(0, (sbyte)c.Padding).I32(1, c.StrideW).I32(2, c.StrideH)
            .I8(3, (sbyte)c.Activation).I32(4, c.DilationW).I32(5, c.DilationH),
        DepthwiseConv2DOptions d => new FbTableNode().I8(0, (sbyte)d.Padding).I32(1, d.StrideW).I32(2, d.StrideH)
            .I32(3, d.DepthMultiplier).I8(4, (sbyte)d.Activation).I32(5, d.DilationW).I32(6, d.DilationH),
        Pool2DOptions p => new FbTableNode().I8(0, (sbyte)p.Padding).I32(1, p.StrideW).I32(2, p.StrideH)
            .I32(3, p.FilterW).I32(4, p.FilterH).I8(5, (sbyte)p.Activation),
        FullyConnectedOptions f => new FbTableNode().I8(0, (sbyte)f.Activation).U8(1, f.WeightsFormat)
            .Bool(2, f.KeepNumDims).Bool(3, f.AsymmetricQuantizeInputs),
        SoftmaxOptions s => new FbTableNode().F32(0, s.Beta),
        AddOptions a => new FbTableNode().I8(0, (sbyte)a.Activation).Bool(1, a.PotScaleInt16),
        ReshapeOptions r => new FbTableNode().Ref(0, r.NewShape is null ? null : FbScalarVector.Of(r.NewShape)),
        ReducerOptions r => new FbTableNode().Bool(0, r.KeepDims),
        PadOptions or QuantizeOptions or DequantizeOptions => new FbTableNode(),
        _ => throw new TfLiteFormatException($"cannot write builtin options of union type {options.UnionType}: this writer does not know that table"),
    };
}
