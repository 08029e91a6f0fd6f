namespace Dnas.TfLite;

/// <summary>Tensor element types (schema TensorType); values outside the named ones are kept as read.</summary>
public enum TfLiteType : byte
{
    Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4, String = 5, Bool = 6, Int16 = 7, Complex64 = 8, Int8 = 9,
}

/// <summary>Builtin operator codes used here (schema BuiltinOperator); other codes are kept as read.</summary>
public enum TfLiteOp
{
    Add = 0, AveragePool2D = 1, Conv2D = 3, DepthwiseConv2D = 4, Dequantize = 6, FullyConnected = 9,
    MaxPool2D = 17, Relu6 = 21, Reshape = 22, Softmax = 25, Pad = 34, Transpose = 39, Mean = 40, Quantize = 114,
}

public enum TfLitePadding : byte { Same = 0, Valid = 1 }

public enum TfLiteActivation : sbyte { None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3, Tanh = 4, SignBit = 5 }

/// <summary>A whole .tflite file: schema version 3, one subgraph (the only form TFLite Micro and
/// our firmware run). <see cref="SubGraphCount"/> records how many the file had when read.</summary>
public sealed class TfLiteModel
{
    public uint Version { get; set; } = 3;
    public string? Description { get; set; }
    public List<TfLiteBuffer> Buffers { get; init; } = [];
    public List<TfLiteOperatorCode> OperatorCodes { get; init; } = [];
    public TfLiteSubGraph SubGraph { get; init; } = new();
    public List<TfLiteMetadata> Metadata { get; init; } = [];
    public int SubGraphCount { get; init; } = 1;

    /// <summary>The data configuration recorded under <see cref="TfLiteDataConfig.MetadataName"/>, or null.</summary>
    public TfLiteDataConfig? DataConfig
    {
        get
        {
            var entry = Metadata.FirstOrDefault(m => m.Name == TfLiteDataConfig.MetadataName);
            if (entry is null) return null;
            if (entry.Buffer >= Buffers.Count)
                throw new TfLiteFormatException($"metadata '{entry.Name}' names buffer {entry.Buffer}, but there are {Buffers.Count} buffers");
            return TfLiteDataConfig.FromJson(Buffers[(int)entry.Buffer].Data.Span);
        }
    }

    /// <summary>The builtin operator code of operator <paramref name="op"/>.</summary>
    public int CodeOf(TfLiteOperator op) => OperatorCodes[op.OpcodeIndex].BuiltinCode;

    public TfLiteTensor Tensor(int index) => SubGraph.Tensors[index];

    /// <summary>The constant data of a tensor (empty when it has none).</summary>
    public ReadOnlyMemory<byte> DataOf(TfLiteTensor tensor) =>
        tensor.Buffer < Buffers.Count ? Buffers[(int)tensor.Buffer].Data : ReadOnlyMemory<byte>.Empty;
}

public sealed class TfLiteBuffer
{
    public ReadOnlyMemory<byte> Data { get; init; }
    public TfLiteBuffer() { }
    public TfLiteBuffer(ReadOnlyMemory<byte> data) => Data = data;
}

public sealed record TfLiteOperatorCode(int BuiltinCode, int Version = 1, string? CustomCode = null)
{
    public string Name => TfLiteNames.Op(BuiltinCode, CustomCode);
}

public sealed record TfLiteMetadata(string Name, uint Buffer);

public sealed class TfLiteSubGraph
{
    public string? Name { get; set; }
    public List<TfLiteTensor> Tensors { get; init; } = [];
    public List<int> Inputs { get; init; } = [];
    public List<int> Outputs { get; init; } = [];
    public List<TfLiteOperator> Operators { get; init; } = [];
}

public sealed class TfLiteTensor
{
    public string Name { get; set; } = "";
    /// <summary>NHWC for activations; see TFLITE.md "Layouts" for weights.</summary>
    public int[] Shape { get; set; } = [];
    public TfLiteType Type { get; set; }
    public uint Buffer { get; set; }
    public TfLiteQuantization? Quantization { get; set; }
    public bool IsVariable { get; set; }

    /// <summary>Product of the dimensions, saturated at <see cref="MaxElements"/> so that hostile
    /// shapes cannot overflow into small or negative sizes.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in Shape)
            {
                long dim = Math.Max(d, 0);
                n = dim != 0 && n > MaxElements / dim ? MaxElements : n * dim;
            }
            return n;
        }
    }

    public const long MaxElements = 1L << 40;
    public long Bytes => ElementCount * TfLiteNames.ElementSize(Type);
}

/// <summary>real = scale * (q - zero_point); per channel along <see cref="QuantizedDimension"/> when
/// there is more than one scale.</summary>
public sealed class TfLiteQuantization
{
    public float[] Scale { get; set; } = [];
    public long[] ZeroPoint { get; set; } = [];
    public int QuantizedDimension { get; set; }
    public float[]? Min { get; set; }
    public float[]? Max { get; set; }

    public TfLiteQuantization() { }
    public TfLiteQuantization(float scale, long zeroPoint) { Scale = [scale]; ZeroPoint = [zeroPoint]; }
    public TfLiteQuantization(float[] scales, long[] zeroPoints, int dimension) { Scale = scales; ZeroPoint = zeroPoints; QuantizedDimension = dimension; }

    public bool IsEmpty => Scale.Length == 0 && ZeroPoint.Length == 0;
}

public sealed class TfLiteOperator
{
    public int OpcodeIndex { get; set; }
    /// <summary>Tensor indices; -1 marks an absent optional input (e.g. no bias).</summary>
    public int[] Inputs { get; set; } = [];
    public int[] Outputs { get; set; } = [];
    public TfLiteOptions? Options { get; set; }
}
