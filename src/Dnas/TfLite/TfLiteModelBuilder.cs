using System.Runtime.InteropServices;

namespace Dnas.TfLite;

/// <summary>Builds a single-subgraph model in code: tensors (with constant data where given),
/// operators, inputs/outputs and the data configuration. <see cref="Build"/> adds the empty
/// buffer 0, one operator code per (builtin, version) with versions from
/// <see cref="TfLiteOpVersions"/>, and validates the result as the writer will.</summary>
public sealed class TfLiteModelBuilder(string? description = null)
{
    private readonly List<TfLiteTensor> _tensors = [];
    private readonly List<TfLiteBuffer> _buffers = [new TfLiteBuffer()];
    private readonly List<(int Code, TfLiteOperator Op)> _ops = [];
    private readonly List<int> _inputs = [], _outputs = [];
    private TfLiteDataConfig? _dataConfig;

    public int TensorCount => _tensors.Count;
    public TfLiteTensor Tensor(int index) => _tensors[index];

    /// <summary>Adds a tensor; <paramref name="data"/> (raw little-endian bytes) makes it a constant.</summary>
    public int AddTensor(string name, int[] shape, TfLiteType type, TfLiteQuantization? quantization = null, ReadOnlySpan<byte> data = default)
    {
        uint buffer = 0;
        if (!data.IsEmpty)
        {
            buffer = (uint)_buffers.Count;
            _buffers.Add(new TfLiteBuffer(data.ToArray()));
        }
        _tensors.Add(new TfLiteTensor { Name = name, Shape = (int[])shape.Clone(), Type = type, Buffer = buffer, Quantization = quantization });
        return _tensors.Count - 1;
    }

    public int AddConstant(string name, int[] shape, sbyte[] values, TfLiteQuantization quantization) =>
        AddTensor(name, shape, TfLiteType.Int8, quantization, MemoryMarshal.AsBytes(values.AsSpan()));

    public int AddConstant(string name, int[] shape, int[] values, TfLiteQuantization? quantization = null) =>
        AddTensor(name, shape, TfLiteType.Int32, quantization, MemoryMarshal.AsBytes(values.AsSpan()));

    public int AddConstant(string name, int[] shape, float[] values) =>
        AddTensor(name, shape, TfLiteType.Float32, null, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Adds an operator; use -1 in <paramref name="inputs"/> for an absent optional input.</summary>
    public TfLiteModelBuilder AddOperator(TfLiteOp op, int[] inputs, int[] outputs, TfLiteOptions? options = null)
    {
        _ops.Add(((int)op, new TfLiteOperator { Inputs = (int[])inputs.Clone(), Outputs = (int[])outputs.Clone(), Options = options }));
        return this;
    }

    public TfLiteModelBuilder SetInputs(params int[] tensors) { _inputs.Clear(); _inputs.AddRange(tensors); return this; }
    public TfLiteModelBuilder SetOutputs(params int[] tensors) { _outputs.Clear(); _outputs.AddRange(tensors); return this; }
    public TfLiteModelBuilder SetDataConfig(TfLiteDataConfig config) { _dataConfig = config; return this; }

    /// <exception cref="TfLiteFormatException">The graph breaks a rule the writer enforces.</exception>
    public TfLiteModel Build()
    {
        var codes = new List<TfLiteOperatorCode>();
        var ops = new List<TfLiteOperator>();
        foreach (var (code, op) in _ops)
        {
            foreach (int i in op.Inputs.Concat(op.Outputs))
                if (i < -1 || i >= _tensors.Count)
                    throw new TfLiteFormatException($"operator {ops.Count} ({TfLiteNames.Op(code)}): tensor index {i} was never added");
            var entry = new TfLiteOperatorCode(code, TfLiteOpVersions.For(code, op, _tensors));
            int index = codes.IndexOf(entry);
            if (index < 0) { codes.Add(entry); index = codes.Count - 1; }
            ops.Add(new TfLiteOperator { OpcodeIndex = index, Inputs = op.Inputs, Outputs = op.Outputs, Options = op.Options });
        }
        var buffers = new List<TfLiteBuffer>(_buffers);
        var metadata = new List<TfLiteMetadata>();
        if (_dataConfig is not null)
        {
            metadata.Add(new TfLiteMetadata(TfLiteDataConfig.MetadataName, (uint)buffers.Count));
            buffers.Add(new TfLiteBuffer(_dataConfig.ToJson()));
        }
        var model = new TfLiteModel
        {
            Description = description,
            Buffers = buffers,
            OperatorCodes = codes,
            Metadata = metadata,
            SubGraph = new TfLiteSubGraph
            {
                Name = "main",
                Tensors = [.. _tensors],
                Inputs = [.. _inputs],
                Outputs = [.. _outputs],
                Operators = ops,
            },
        };
        TfLiteValidator.Validate(model);
        return model;
    }
}
