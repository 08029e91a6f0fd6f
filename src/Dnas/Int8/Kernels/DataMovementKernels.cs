using Dnas.TfLite;

namespace Dnas.Int8.Kernels;

/// <summary>RESHAPE: the bytes are unchanged (quantization must be too).</summary>
internal sealed class ReshapeKernel : OpKernel
{
    internal int Bytes, InAt, OutAt;

    public static ReshapeKernel Prepare(KernelContext c)
    {
        var (input, output) = (c.Input(0), c.Output());
        c.RequireType(output, input.Type, "output");
        if (input.Bytes != output.Bytes) throw c.Fail($"reshapes {input.ElementCount} elements into {output.ElementCount}");
        if (input.Type == TfLiteType.Int8 && c.PerTensor(input) != c.PerTensor(output))
            throw c.Fail("int8 input and output must share scale and zero point");
        return new ReshapeKernel { Bytes = (int)input.Bytes, InAt = c.InputOffset(0), OutAt = c.OutputOffset() };
    }

    public override void Eval(Span<byte> arena)
    {
        if (InAt != OutAt) arena.Slice(InAt, Bytes).CopyTo(arena.Slice(OutAt, Bytes));
    }
}

/// <summary>PAD of a 4-D tensor with constant paddings [4, 2]; int8 pads with the output zero
/// point (TFLite Micro's default when no constant value is given), float with 0.</summary>
internal sealed class PadKernel : OpKernel
{
    internal int[] InShape = [], OutShape = [], Before = [];
    internal int ElementSize, PadByte, InAt, OutAt;

    public static PadKernel Prepare(KernelContext c)
    {
        var (input, output) = (c.Input(0), c.Output());
        var inS = KernelContext.As4D(input, c, "input");
        var outS = KernelContext.As4D(output, c, "output");
        c.RequireType(output, input.Type, "output");
        if (input.Type is not (TfLiteType.Int8 or TfLiteType.Float32)) throw c.Fail($"{TfLiteNames.Type(input.Type)} is not supported");
        if (c.HasInput(2)) throw c.Fail("an explicit constant value (PADV2) is not supported");
        var p = c.ConstIndices(1);
        if (p.Length != 8) throw c.Fail($"paddings have {p.Length} values; [4, 2] expected");
        var before = new int[4];
        for (int d = 0; d < 4; d++)
        {
            if (p[2 * d] < 0 || p[2 * d + 1] < 0 || inS[d] + p[2 * d] + p[2 * d + 1] != outS[d])
                throw c.Fail($"dimension {d}: {inS[d]} padded by ({p[2 * d]}, {p[2 * d + 1]}) is not the output's {outS[d]}");
            before[d] = (int)p[2 * d];
        }
        int padByte = 0;
        if (input.Type == TfLiteType.Int8)
        {
            if (c.PerTensor(input) != c.PerTensor(output)) throw c.Fail("int8 input and output must share scale and zero point");
            padByte = (byte)(sbyte)c.PerTensor(output).ZeroPoint;
        }
        return new PadKernel
        {
            InShape = inS, OutShape = outS, Before = before, ElementSize = TfLiteNames.ElementSize(input.Type), PadByte = padByte,
            InAt = c.InputOffset(0), OutAt = c.OutputOffset(),
        };
    }

    public override void Eval(Span<byte> arena)
    {
        int es = ElementSize;
        var output = arena.Slice(OutAt, OutShape[0] * OutShape[1] * OutShape[2] * OutShape[3] * es);
        output.Fill((byte)PadByte);
        int row = InShape[3] * es;
        for (int b = 0; b < InShape[0]; b++)
            for (int y = 0; y < InShape[1]; y++)
                for (int x = 0; x < InShape[2]; x++)
                {
                    int src = InAt + ((b * InShape[1] + y) * InShape[2] + x) * row;
                    int dst = (((b + Before[0]) * OutShape[1] + y + Before[1]) * OutShape[2] + x + Before[2]) * OutShape[3] * es + Before[3] * es;
                    arena.Slice(src, row).CopyTo(output.Slice(dst, row));
                }
    }
}

/// <summary>QUANTIZE float32 -> int8: zero_point + round(x / scale) (half away from zero, in
/// float as the reference computes it), clamped.</summary>
internal sealed class QuantizeKernel : OpKernel
{
    internal int Count, ZeroPoint, InAt, OutAt;
    internal float Scale;

    public static QuantizeKernel Prepare(KernelContext c)
    {
        var (input, output) = (c.Input(0), c.Output());
        c.RequireType(input, TfLiteType.Float32, "input");
        c.RequireType(output, TfLiteType.Int8, "output");
        var (scale, zp) = c.PerTensor(output);
        return new QuantizeKernel { Count = (int)input.ElementCount, Scale = scale, ZeroPoint = zp, InAt = c.InputOffset(0), OutAt = c.OutputOffset() };
    }

    public override void Eval(Span<byte> arena)
    {
        var x = F32(arena, InAt, Count);
        var y = I8(arena, OutAt, Count);
        for (int i = 0; i < Count; i++)
            y[i] = (sbyte)Clamp((int)MathF.Round(x[i] / Scale, MidpointRounding.AwayFromZero) + ZeroPoint, sbyte.MinValue, sbyte.MaxValue);
    }
}

/// <summary>DEQUANTIZE int8 -> float32: (float)(scale * (q - zero_point)) with the scale in double.</summary>
internal sealed class DequantizeKernel : OpKernel
{
    internal int Count, ZeroPoint, InAt, OutAt;
    internal double Scale;

    public static DequantizeKernel Prepare(KernelContext c)
    {
        var (input, output) = (c.Input(0), c.Output());
        c.RequireType(input, TfLiteType.Int8, "input");
        c.RequireType(output, TfLiteType.Float32, "output");
        var (scale, zp) = c.PerTensor(input);
        return new DequantizeKernel { Count = (int)input.ElementCount, Scale = scale, ZeroPoint = zp, InAt = c.InputOffset(0), OutAt = c.OutputOffset() };
    }

    public override void Eval(Span<byte> arena)
    {
        var x = I8(arena, InAt, Count);
        var y = F32(arena, OutAt, Count);
        for (int i = 0; i < Count; i++) y[i] = (float)(Scale * (x[i] - ZeroPoint));
    }
}
