using Dnas.TfLite;

namespace Dnas.Int8.Kernels;

/// <summary>FULLY_CONNECTED's shape rules, the same for int8 and float32: weights [O, I], the
/// input flattened to [batches, I], the output [batches, O].</summary>
internal static class FullyConnectedShape
{
    public static (int Batches, int InDepth, int OutDepth) Check(KernelContext c, TfLiteType type)
    {
        var (input, filter, output) = (c.Input(0), c.Input(1), c.Output());
        c.RequireType(input, type, "input");
        c.RequireType(output, type, "output");
        if (filter.Shape.Length != 2) throw c.Fail($"filter '{filter.Name}' has shape [{string.Join(",", filter.Shape)}]; [O, I] expected");
        int outDepth = filter.Shape[0], inDepth = filter.Shape[1];
        if (inDepth == 0 || input.ElementCount % inDepth != 0) throw c.Fail($"input of {input.ElementCount} elements is not a multiple of the filter's {inDepth} inputs");
        int batches = (int)(input.ElementCount / inDepth);
        if (output.ElementCount != (long)batches * outDepth) throw c.Fail($"output has {output.ElementCount} elements, expected {batches}x{outDepth}");
        return (batches, inDepth, outDepth);
    }
}

/// <summary>FULLY_CONNECTED, int8 (reference_integer_ops::FullyConnected): weights [O, I], the
/// input flattened to [batches, I]; per-tensor requantization with M = input_scale * filter_scale
/// / output_scale in double (per-channel filters also accepted).</summary>
internal sealed class Int8FullyConnectedKernel : OpKernel
{
    internal int Batches, InDepth, OutDepth, InputOffset, FilterOffset, OutputOffset, ActMin, ActMax, InAt, OutAt;
    internal sbyte[] Filter = [];
    internal int[]? Bias;
    internal int[] Multipliers = [], Shifts = [];

    public static Int8FullyConnectedKernel Prepare(KernelContext c)
    {
        var o = c.Op.Options as FullyConnectedOptions ?? new FullyConnectedOptions();
        var (input, filter, output) = (c.Input(0), c.Input(1), c.Output());
        var (batches, inDepth, outDepth) = FullyConnectedShape.Check(c, TfLiteType.Int8);
        var (_, inZp) = c.PerTensor(input);
        var (outScale, outZp) = c.PerTensor(output);
        var filterZp = filter.Quantization is { ZeroPoint.Length: > 0 } fq ? (int)fq.ZeroPoint[0] : 0;
        var k = new Int8FullyConnectedKernel
        {
            Batches = batches, InDepth = inDepth, OutDepth = outDepth,
            InputOffset = -inZp, FilterOffset = -filterZp, OutputOffset = outZp,
            Filter = c.ConstInt8(1), Bias = ChannelQuantization.Bias(c, outDepth),
            InAt = c.InputOffset(0), OutAt = c.OutputOffset(),
        };
        (k.ActMin, k.ActMax) = FixedPoint.ActivationRange(o.Activation, outScale, outZp);
        (k.Multipliers, k.Shifts) = ChannelQuantization.Compute(c, input, filter, output, outDepth);
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var input = I8(arena, InAt, Batches * InDepth);
        var output = I8(arena, OutAt, Batches * OutDepth);
        for (int b = 0; b < Batches; b++)
        {
            var x = input.Slice(b * InDepth, InDepth);
            for (int o = 0; o < OutDepth; o++)
            {
                var f = Filter.AsSpan(o * InDepth, InDepth);
                int acc = 0;
                for (int i = 0; i < InDepth; i++) acc += (x[i] + InputOffset) * (f[i] + FilterOffset);
                if (Bias != null) acc += Bias[o];
                acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, Multipliers[o], Shifts[o]) + OutputOffset;
                output[b * OutDepth + o] = (sbyte)Clamp(acc, ActMin, ActMax);
            }
        }
    }
}

/// <summary>FULLY_CONNECTED in float32.</summary>
internal sealed class FloatFullyConnectedKernel : OpKernel
{
    internal int Batches, InDepth, OutDepth, InAt, OutAt;
    internal float ActMin, ActMax;
    internal float[] Filter = [];
    internal float[]? Bias;

    public static FloatFullyConnectedKernel Prepare(KernelContext c)
    {
        var o = c.Op.Options as FullyConnectedOptions ?? new FullyConnectedOptions();
        var (batches, inDepth, outDepth) = FullyConnectedShape.Check(c, TfLiteType.Float32);
        var k = new FloatFullyConnectedKernel
        {
            Batches = batches, InDepth = inDepth, OutDepth = outDepth,
            Filter = c.ConstFloat(1), Bias = ChannelQuantization.FloatBias(c, outDepth),
            InAt = c.InputOffset(0), OutAt = c.OutputOffset(),
        };
        (k.ActMin, k.ActMax) = FixedPoint.ActivationRangeFloat(o.Activation);
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var input = F32(arena, InAt, Batches * InDepth);
        var output = F32(arena, OutAt, Batches * OutDepth);
        for (int b = 0; b < Batches; b++)
            for (int o = 0; o < OutDepth; o++)
            {
                float acc = 0;
                for (int i = 0; i < InDepth; i++) acc += input[b * InDepth + i] * Filter[o * InDepth + i];
                if (Bias != null) acc += Bias[o];
                output[b * OutDepth + o] = Clamp(acc, ActMin, ActMax);
            }
    }
}
