using Dnas.TfLite;

namespace Dnas.Int8.Kernels;

/// <summary>ADD, int8, equal shapes (TFLite Micro's add with left shift 20): both inputs are
/// offset, shifted left by 20, scaled by multipliers below one relative to twice the larger input
/// scale, summed, and the sum rescaled to the output.</summary>
internal sealed class Int8AddKernel : OpKernel
{
    internal const int LeftShift = 20;
    internal int Count, Input1Offset, Input2Offset, OutputOffset, ActMin, ActMax;
    internal int Input1Multiplier, Input1Shift, Input2Multiplier, Input2Shift, OutputMultiplier, OutputShift;
    internal int In1At, In2At, OutAt;

    public static Int8AddKernel Prepare(KernelContext c)
    {
        var o = c.Op.Options as AddOptions ?? new AddOptions();
        var (a, b, output) = (c.Input(0), c.Input(1), c.Output());
        foreach (var (t, role) in new[] { (a, "input 0"), (b, "input 1"), (output, "output") }) c.RequireType(t, TfLiteType.Int8, role);
        if (!a.Shape.SequenceEqual(b.Shape) || !a.Shape.SequenceEqual(output.Shape))
            throw c.Fail($"shapes [{string.Join(",", a.Shape)}] + [{string.Join(",", b.Shape)}] -> [{string.Join(",", output.Shape)}]: only equal shapes are supported (no broadcasting)");
        var (s1, z1) = c.PerTensor(a);
        var (s2, z2) = c.PerTensor(b);
        var (so, zo) = c.PerTensor(output);
        double twiceMax = 2 * (double)Math.Max(s1, s2);
        var k = new Int8AddKernel
        {
            Count = (int)output.ElementCount, Input1Offset = -z1, Input2Offset = -z2, OutputOffset = zo,
            In1At = c.InputOffset(0), In2At = c.InputOffset(1), OutAt = c.OutputOffset(),
        };
        (k.Input1Multiplier, k.Input1Shift) = FixedPoint.QuantizeMultiplier(s1 / twiceMax);
        (k.Input2Multiplier, k.Input2Shift) = FixedPoint.QuantizeMultiplier(s2 / twiceMax);
        (k.OutputMultiplier, k.OutputShift) = FixedPoint.QuantizeMultiplier(twiceMax / ((1 << LeftShift) * (double)so));
        (k.ActMin, k.ActMax) = FixedPoint.ActivationRange(o.Activation, so, zo);
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var x = I8(arena, In1At, Count);
        var y = I8(arena, In2At, Count);
        var output = I8(arena, OutAt, Count);
        for (int i = 0; i < Count; i++)
        {
            int a = (x[i] + Input1Offset) * (1 << LeftShift);
            int b = (y[i] + Input2Offset) * (1 << LeftShift);
            int sa = FixedPoint.MultiplyByQuantizedMultiplier(a, Input1Multiplier, Input1Shift);
            int sb = FixedPoint.MultiplyByQuantizedMultiplier(b, Input2Multiplier, Input2Shift);
            int raw = FixedPoint.MultiplyByQuantizedMultiplier(sa + sb, OutputMultiplier, OutputShift) + OutputOffset;
            output[i] = (sbyte)Clamp(raw, ActMin, ActMax);
        }
    }
}

internal sealed class FloatAddKernel : OpKernel
{
    internal int Count, In1At, In2At, OutAt;
    internal float ActMin, ActMax;

    public static FloatAddKernel Prepare(KernelContext c)
    {
        var o = c.Op.Options as AddOptions ?? new AddOptions();
        var (a, b, output) = (c.Input(0), c.Input(1), c.Output());
        foreach (var (t, role) in new[] { (a, "input 0"), (b, "input 1"), (output, "output") }) c.RequireType(t, TfLiteType.Float32, role);
        if (!a.Shape.SequenceEqual(b.Shape) || !a.Shape.SequenceEqual(output.Shape))
            throw c.Fail("only equal shapes are supported (no broadcasting)");
        var k = new FloatAddKernel { Count = (int)output.ElementCount, In1At = c.InputOffset(0), In2At = c.InputOffset(1), OutAt = c.OutputOffset() };
        (k.ActMin, k.ActMax) = FixedPoint.ActivationRangeFloat(o.Activation);
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var x = F32(arena, In1At, Count);
        var y = F32(arena, In2At, Count);
        var output = F32(arena, OutAt, Count);
        for (int i = 0; i < Count; i++) output[i] = Clamp(x[i] + y[i], ActMin, ActMax);
    }
}
