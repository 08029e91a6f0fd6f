namespace Dnas.TfLite;

/// <summary>Reads a .tflite file into a <see cref="TfLiteModel"/>. Accepts what real converters
/// write (including person_detect's depthwise bias with quantized_dimension 3: a 1-D tensor can
/// only be quantized along dimension 0, so the reader keeps the value and lets the writer fix
/// it); rejects malformed bytes with a <see cref="TfLiteFormatException"/> saying what and where.
/// Buffer data are slices of the given array (not copied).</summary>
public static class TfLiteReader
{
    public static TfLiteModel ReadFile(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Read(bytes);
    }

    public static TfLiteModel Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8) throw new TfLiteFormatException($"file too short for a flatbuffer header ({bytes.Length} bytes)", 0);
        if (bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3')
            throw new TfLiteFormatException($"file identifier is '{Printable(bytes.AsSpan(4, 4))}', not TFL3: not a TFLite model", 4);
        var r = new FlatBufferReader(bytes);
        var model = r.RootTable("Model");
        uint version = model.U32(0, "version");
        if (version != 3)
            throw new TfLiteFormatException($"schema version {version}; only version 3 is supported", model.Position);

        var codes = model.Tables(1, "operator_codes").Select(ReadOperatorCode).ToList();
        var subgraphs = model.Tables(2, "subgraphs");
        if (subgraphs.Length == 0) throw new TfLiteFormatException("the model has no subgraph", model.Position);
        var buffers = model.Tables(4, "buffers").Select(b => ReadBuffer(b, bytes)).ToList();
        var metadata = model.Tables(6, "metadata")
            .Select(m => new TfLiteMetadata(m.String(0, "name") ?? "", m.U32(1, "buffer"))).ToList();
        var result = new TfLiteModel
        {
            Version = version,
            Description = model.String(3, "description"),
            OperatorCodes = codes,
            Buffers = buffers,
            Metadata = metadata,
            SubGraph = ReadSubGraph(subgraphs[0], codes.Count, buffers.Count),
            SubGraphCount = subgraphs.Length,
        };
        return result;
    }

    private static string Printable(ReadOnlySpan<byte> b) =>
        new(b.ToArray().Select(c => c is >= 32 and < 127 ? (char)c : '?').ToArray());

    private static TfLiteOperatorCode ReadOperatorCode(FbTable t)
    {
        int deprecated = t.I8(0, "deprecated_builtin_code");
        int builtin = t.I32(3, "builtin_code");
        return new TfLiteOperatorCode(Math.Max(deprecated, builtin), t.I32(2, "version", 1), t.String(1, "custom_code"));
    }

    private static TfLiteBuffer ReadBuffer(FbTable t, byte[] file)
    {
        int fileLength = file.Length;
        var data = t.Bytes(0, "data");
        ulong offset = t.U64(1, "offset"), size = t.U64(2, "size");
        if (data.IsEmpty && offset > 1)
        {
            // Large models keep buffers after the flatbuffer; offset is from the file start.
            if (offset > (ulong)fileLength || size > (ulong)fileLength - offset)
                throw new TfLiteFormatException($"{t.What}: external data ({size} bytes at {offset}) lies outside the file ({fileLength} bytes)", t.Position);
            return new TfLiteBuffer(new ReadOnlyMemory<byte>(file, (int)offset, (int)size));
        }
        return new TfLiteBuffer(data);
    }

    private static TfLiteSubGraph ReadSubGraph(FbTable g, int codeCount, int bufferCount)
    {
        var tensors = g.Tables(0, "tensors").Select(t => ReadTensor(t, bufferCount)).ToList();
        var sub = new TfLiteSubGraph
        {
            Name = g.String(4, "name"),
            Tensors = tensors,
            Inputs = CheckIndices(g.Ints(1, "inputs") ?? [], tensors.Count, g, "inputs", optional: false).ToList(),
            Outputs = CheckIndices(g.Ints(2, "outputs") ?? [], tensors.Count, g, "outputs", optional: false).ToList(),
        };
        foreach (var o in g.Tables(3, "operators"))
        {
            uint opcode = o.U32(0, "opcode_index");
            if (opcode >= codeCount)
                throw new TfLiteFormatException($"{o.What}: opcode_index {opcode} but the model has {codeCount} operator codes", o.Position);
            sub.Operators.Add(new TfLiteOperator
            {
                OpcodeIndex = (int)opcode,
                Inputs = CheckIndices(o.Ints(1, "inputs") ?? [], tensors.Count, o, "inputs", optional: true),
                Outputs = CheckIndices(o.Ints(2, "outputs") ?? [], tensors.Count, o, "outputs", optional: false),
                Options = ReadOptions(o),
            });
        }
        return sub;
    }

    private static int[] CheckIndices(int[] indices, int tensorCount, FbTable owner, string name, bool optional)
    {
        foreach (int i in indices)
            if (i >= tensorCount || i < (optional ? -1 : 0))
                throw new TfLiteFormatException($"{owner.What}.{name}: tensor index {i} but the subgraph has {tensorCount} tensors", owner.Position);
        return indices;
    }

    private static TfLiteTensor ReadTensor(FbTable t, int bufferCount)
    {
        uint buffer = t.U32(2, "buffer");
        if (buffer >= bufferCount && !(buffer == 0 && bufferCount == 0))
            throw new TfLiteFormatException($"{t.What}: buffer {buffer} but the model has {bufferCount} buffers", t.Position);
        var shape = t.Ints(0, "shape") ?? [];
        foreach (int d in shape)
            if (d < 0) throw new TfLiteFormatException($"{t.What}: shape dimension {d} is negative", t.Position);
        var q = t.Table(4, "quantization");
        return new TfLiteTensor
        {
            Shape = shape,
            Type = (TfLiteType)t.U8(1, "type"),
            Buffer = buffer,
            Name = t.String(3, "name") ?? "",
            Quantization = q is { } qt ? ReadQuantization(qt) : null,
            IsVariable = t.Bool(5, "is_variable"),
        };
    }

    private static TfLiteQuantization ReadQuantization(FbTable q) => new()
    {
        Min = q.Floats(0, "min"),
        Max = q.Floats(1, "max"),
        Scale = q.Floats(2, "scale") ?? [],
        ZeroPoint = q.Longs(3, "zero_point") ?? [],
        QuantizedDimension = q.I32(6, "quantized_dimension"),
    };

    private static TfLiteOptions? ReadOptions(FbTable o)
    {
        byte type = o.U8(3, "builtin_options_type");
        if (type == 0) return null;
        var t = o.Table(4, "builtin_options");
        if (t is not { } x) return type switch { 22 => new PadOptions(), 38 => new DequantizeOptions(), 89 => new QuantizeOptions(), _ => new UnknownOptions(type) };
        return type switch
        {
            1 => new Conv2DOptions((TfLitePadding)x.U8(0, "padding"), x.I32(1, "stride_w"), x.I32(2, "stride_h"),
                (TfLiteActivation)x.I8(3, "fused_activation_function"), x.I32(4, "dilation_w_factor", 1), x.I32(5, "dilation_h_factor", 1)),
            2 => new DepthwiseConv2DOptions((TfLitePadding)x.U8(0, "padding"), x.I32(1, "stride_w"), x.I32(2, "stride_h"),
                x.I32(3, "depth_multiplier"), (TfLiteActivation)x.I8(4, "fused_activation_function"),
                x.I32(5, "dilation_w_factor", 1), x.I32(6, "dilation_h_factor", 1)),
            5 => new Pool2DOptions((TfLitePadding)x.U8(0, "padding"), x.I32(1, "stride_w"), x.I32(2, "stride_h"),
                x.I32(3, "filter_width"), x.I32(4, "filter_height"), (TfLiteActivation)x.I8(5, "fused_activation_function")),
            8 => new FullyConnectedOptions((TfLiteActivation)x.I8(0, "fused_activation_function"), x.U8(1, "weights_format"),
                x.Bool(2, "keep_num_dims"), x.Bool(3, "asymmetric_quantize_inputs")),
            9 => new SoftmaxOptions(x.F32(0, "beta")),
            11 => new AddOptions((TfLiteActivation)x.I8(0, "fused_activation_function"), x.Bool(1, "pot_scale_int16", true)),
            17 => new ReshapeOptions(x.Ints(0, "new_shape")),
            22 => new PadOptions(),
            27 => new ReducerOptions(x.Bool(0, "keep_dims")),
            38 => new DequantizeOptions(),
            89 => new QuantizeOptions(),
            _ => new UnknownOptions(type),
        };
    }
}
