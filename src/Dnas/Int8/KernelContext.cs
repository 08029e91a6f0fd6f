using System.Runtime.InteropServices;
using Dnas.TfLite;

namespace Dnas.Int8;

/// <summary>What a kernel's Prepare sees of one operator: its tensors, their arena offsets and
/// constant data, and a way to fail that names the operator.</summary>
internal sealed class KernelContext(TfLiteModel model, Int8MemoryPlan plan, int opIndex)
{
    public TfLiteModel Model => model;
    public int OpIndex => opIndex;
    public TfLiteOperator Op => model.SubGraph.Operators[opIndex];
    public int Code => model.CodeOf(Op);
    public string What => $"operator {opIndex} ({TfLiteNames.Op(Code)}, code {Code})";

    public Int8ModelException Fail(string message) => new($"{What}: {message}");

    public int InputCount => Op.Inputs.Length;
    public bool HasInput(int i) => i < Op.Inputs.Length && Op.Inputs[i] >= 0;

    public TfLiteTensor Input(int i)
    {
        if (!HasInput(i)) throw Fail($"input {i} is missing");
        return model.Tensor(Op.Inputs[i]);
    }

    public TfLiteTensor Output(int i = 0)
    {
        if (i >= Op.Outputs.Length) throw Fail($"output {i} is missing");
        return model.Tensor(Op.Outputs[i]);
    }

    /// <summary>Arena offset of an activation input/output; fails for a constant.</summary>
    public int InputOffset(int i) => Offset(Op.Inputs[i], $"input {i}");
    public int OutputOffset(int i = 0) => Offset(Op.Outputs[i], $"output {i}");

    private int Offset(int tensor, string what)
    {
        long offset = plan.Offsets[tensor];
        if (offset < 0) throw Fail($"{what} '{model.Tensor(tensor).Name}' is a constant where an activation is expected");
        return (int)offset;
    }

    public bool IsConstant(int i) => HasInput(i) && !model.DataOf(Input(i)).IsEmpty;

    private ReadOnlySpan<byte> Data(int i, TfLiteType type)
    {
        var t = Input(i);
        if (t.Type != type) throw Fail($"input {i} '{t.Name}' is {TfLiteNames.Type(t.Type)}, expected {TfLiteNames.Type(type)}");
        var data = model.DataOf(t);
        if (data.IsEmpty) throw Fail($"input {i} '{t.Name}' must be a constant (it has no data)");
        if (data.Length != t.Bytes) throw Fail($"input {i} '{t.Name}' has {data.Length} bytes of data for {t.Bytes} expected");
        return data.Span;
    }

    public sbyte[] ConstInt8(int i) => MemoryMarshal.Cast<byte, sbyte>(Data(i, TfLiteType.Int8)).ToArray();
    public int[] ConstInt32(int i) => MemoryMarshal.Cast<byte, int>(Data(i, TfLiteType.Int32)).ToArray();
    public float[] ConstFloat(int i) => MemoryMarshal.Cast<byte, float>(Data(i, TfLiteType.Float32)).ToArray();

    /// <summary>Integer constants of either int32 or int64 (axes, paddings).</summary>
    public long[] ConstIndices(int i)
    {
        var t = Input(i);
        return t.Type switch
        {
            TfLiteType.Int32 => ConstInt32(i).Select(v => (long)v).ToArray(),
            TfLiteType.Int64 => MemoryMarshal.Cast<byte, long>(Data(i, TfLiteType.Int64)).ToArray(),
            _ => throw Fail($"input {i} '{t.Name}' is {TfLiteNames.Type(t.Type)}, expected INT32 or INT64"),
        };
    }

    /// <summary>The single (per-tensor) scale and zero point of a tensor.</summary>
    public (float Scale, int ZeroPoint) PerTensor(TfLiteTensor t)
    {
        if (t.Quantization is not { Scale.Length: >= 1, ZeroPoint.Length: >= 1 } q)
            throw Fail($"tensor '{t.Name}' has no quantization parameters");
        return (q.Scale[0], (int)q.ZeroPoint[0]);
    }

    public void RequireType(TfLiteTensor t, TfLiteType type, string role)
    {
        if (t.Type != type) throw Fail($"{role} '{t.Name}' is {TfLiteNames.Type(t.Type)}; this kernel needs {TfLiteNames.Type(type)}");
    }

    public T Options<T>() where T : TfLiteOptions =>
        Op.Options as T ?? throw Fail($"has no {typeof(T).Name}");

    public static int[] As4D(TfLiteTensor t, KernelContext c, string role)
    {
        if (t.Shape.Length != 4) throw c.Fail($"{role} '{t.Name}' has shape [{string.Join(",", t.Shape)}]; 4-D NHWC expected");
        return t.Shape;
    }
}
