using Dnas.TfLite;

namespace Dnas.Int8.Kernels;

/// <summary>AVERAGE_POOL_2D and MAX_POOL_2D (int8 and float average). The window is clipped to the
/// input (padding is not counted); int8 averages round half away from zero as
/// reference_integer_ops::AveragePool does; input and output share scale and zero point.</summary>
internal sealed class PoolKernel : OpKernel
{
    internal bool Max, Float;
    internal int Batches, Channels, ActMin, ActMax, InAt, OutAt;
    internal float FloatMin, FloatMax;
    internal Window W;

    public static PoolKernel Prepare(KernelContext c, bool max)
    {
        var o = c.Options<Pool2DOptions>();
        var (input, output) = (c.Input(0), c.Output());
        bool isFloat = input.Type == TfLiteType.Float32;
        if (!isFloat) c.RequireType(input, TfLiteType.Int8, "input");
        c.RequireType(output, input.Type, "output");
        if (isFloat && max) throw c.Fail("float MAX_POOL_2D is not supported");
        var inS = KernelContext.As4D(input, c, "input");
        var outS = KernelContext.As4D(output, c, "output");
        if (inS[0] != outS[0] || inS[3] != outS[3]) throw c.Fail("batch and channels must be equal in input and output");
        var k = new PoolKernel
        {
            Max = max, Float = isFloat, Batches = inS[0], Channels = inS[3],
            W = Window.Create(c, o.Padding, inS[1], inS[2], o.FilterH, o.FilterW, o.StrideH, o.StrideW, 1, 1, outS[1], outS[2]),
            InAt = c.InputOffset(0), OutAt = c.OutputOffset(),
        };
        if (isFloat) (k.FloatMin, k.FloatMax) = FixedPoint.ActivationRangeFloat(o.Activation);
        else
        {
            var (inScale, inZp) = c.PerTensor(input);
            var (outScale, outZp) = c.PerTensor(output);
            if (inZp != outZp || Math.Abs(inScale - outScale) > 1e-6)
                throw c.Fail($"input (scale {inScale}, zero point {inZp}) and output (scale {outScale}, zero point {outZp}) must share quantization");
            (k.ActMin, k.ActMax) = FixedPoint.ActivationRange(o.Activation, outScale, outZp);
        }
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var w = W;
        int inCount = Batches * w.InH * w.InW * Channels, outCount = Batches * w.OutH * w.OutW * Channels;
        for (int b = 0; b < Batches; b++)
            for (int oy = 0; oy < w.OutH; oy++)
                for (int ox = 0; ox < w.OutW; ox++)
                {
                    int y0 = oy * w.StrideH - w.PadH, x0 = ox * w.StrideW - w.PadW;
                    int fy0 = Math.Max(0, -y0), fy1 = Math.Min(w.KH, w.InH - y0);
                    int fx0 = Math.Max(0, -x0), fx1 = Math.Min(w.KW, w.InW - x0);
                    int outBase = ((b * w.OutH + oy) * w.OutW + ox) * Channels;
                    for (int ch = 0; ch < Channels; ch++)
                    {
                        if (Float)
                        {
                            var input = F32(arena, InAt, inCount);
                            float sum = 0;
                            int n = 0;
                            for (int fy = fy0; fy < fy1; fy++)
                                for (int fx = fx0; fx < fx1; fx++, n++)
                                    sum += input[((b * w.InH + y0 + fy) * w.InW + x0 + fx) * Channels + ch];
                            F32(arena, OutAt, outCount)[outBase + ch] = Clamp(sum / n, FloatMin, FloatMax);
                        }
                        else
                        {
                            var input = I8(arena, InAt, inCount);
                            int acc = Max ? sbyte.MinValue : 0, n = 0;
                            for (int fy = fy0; fy < fy1; fy++)
                                for (int fx = fx0; fx < fx1; fx++, n++)
                                {
                                    int v = input[((b * w.InH + y0 + fy) * w.InW + x0 + fx) * Channels + ch];
                                    acc = Max ? Math.Max(acc, v) : acc + v;
                                }
                            if (!Max) acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
                            I8(arena, OutAt, outCount)[outBase + ch] = (sbyte)Clamp(acc, ActMin, ActMax);
                        }
                    }
                }
    }
}

/// <summary>MEAN over H and W of a 4-D NHWC tensor (the global average pool of MobileNets).
/// Int8 follows reference_ops::QuantizedMeanOrSum: the integer sum minus n * input zero point,
/// times the input/output multiplier with 1/n folded in (shift by floor(log2 n), clamped as the
/// reference does), plus the output zero point.</summary>
internal sealed class MeanKernel : OpKernel
{
    internal bool Float;
    internal int Batches, H, Wd, Channels, InputZeroPoint, OutputZeroPoint, Multiplier, Shift, InAt, OutAt;

    public static MeanKernel Prepare(KernelContext c)
    {
        var (input, output) = (c.Input(0), c.Output());
        var inS = KernelContext.As4D(input, c, "input");
        var axes = c.ConstIndices(1).Select(a => a < 0 ? a + 4 : a).OrderBy(a => a).ToArray();
        if (!axes.SequenceEqual([1L, 2L])) throw c.Fail($"reduces axes [{string.Join(",", axes)}]; only the mean over H and W (axes 1, 2) is supported");
        if (output.ElementCount != (long)inS[0] * inS[3]) throw c.Fail($"output has {output.ElementCount} elements, expected {inS[0]}x{inS[3]}");
        bool isFloat = input.Type == TfLiteType.Float32;
        if (!isFloat) c.RequireType(input, TfLiteType.Int8, "input");
        c.RequireType(output, input.Type, "output");
        var k = new MeanKernel
        {
            Float = isFloat, Batches = inS[0], H = inS[1], Wd = inS[2], Channels = inS[3],
            InAt = c.InputOffset(0), OutAt = c.OutputOffset(),
        };
        if (!isFloat)
        {
            var (inScale, inZp) = c.PerTensor(input);
            var (outScale, outZp) = c.PerTensor(output);
            (k.InputZeroPoint, k.OutputZeroPoint) = (inZp, outZp);
            var (multiplier, shift) = FixedPoint.QuantizeMultiplier((double)inScale / outScale);
            long n = (long)k.H * k.Wd;
            if (n > 0)
            {
                int s = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)n);
                s = Math.Min(s, 32);
                s = Math.Min(s, 31 + shift);
                multiplier = (int)(((long)multiplier << s) / n);
                shift -= s;
            }
            (k.Multiplier, k.Shift) = (multiplier, shift);
        }
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        int n = H * Wd, inCount = Batches * n * Channels, outCount = Batches * Channels;
        for (int b = 0; b < Batches; b++)
            for (int ch = 0; ch < Channels; ch++)
            {
                if (Float)
                {
                    var input = F32(arena, InAt, inCount);
                    float sum = 0;
                    for (int i = 0; i < n; i++) sum += input[(b * n + i) * Channels + ch];
                    F32(arena, OutAt, outCount)[b * Channels + ch] = sum / n;
                }
                else
                {
                    var input = I8(arena, InAt, inCount);
                    int sum = 0;
                    for (int i = 0; i < n; i++) sum += input[(b * n + i) * Channels + ch];
                    int shifted = sum - InputZeroPoint * n;
                    int v = FixedPoint.MultiplyByQuantizedMultiplier(shifted, Multiplier, Shift) + OutputZeroPoint;
                    I8(arena, OutAt, outCount)[b * Channels + ch] = (sbyte)Clamp(v, sbyte.MinValue, sbyte.MaxValue);
                }
            }
    }
}
