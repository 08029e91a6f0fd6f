using Dnas.TfLite;

namespace Dnas.Int8.Kernels;

/// <summary>Per-output-channel requantization: acc * M[c] * 2^shift[c] (Q31), as TFLite's
/// PopulateConvolutionQuantizationParams computes it: M = input_scale * filter_scale[c] /
/// output_scale in double precision.</summary>
internal static class ChannelQuantization
{
    public static (int[] Multipliers, int[] Shifts) Compute(KernelContext c, TfLiteTensor input, TfLiteTensor filter, TfLiteTensor output, int channels)
    {
        var (inScale, _) = c.PerTensor(input);
        var (outScale, _) = c.PerTensor(output);
        var scales = filter.Quantization?.Scale ?? [];
        if (scales.Length != 1 && scales.Length != channels)
            throw c.Fail($"filter '{filter.Name}' has {scales.Length} scales for {channels} output channels");
        var multipliers = new int[channels];
        var shifts = new int[channels];
        for (int ch = 0; ch < channels; ch++)
        {
            double real = (double)inScale * scales[scales.Length == 1 ? 0 : ch] / outScale;
            (multipliers[ch], shifts[ch]) = FixedPoint.QuantizeMultiplier(real);
        }
        return (multipliers, shifts);
    }

    public static int[]? Bias(KernelContext c, int channels)
    {
        if (!c.HasInput(2)) return null;
        var bias = c.ConstInt32(2);
        if (bias.Length != channels) throw c.Fail($"bias '{c.Input(2).Name}' has {bias.Length} values for {channels} output channels");
        return bias;
    }

    public static float[]? FloatBias(KernelContext c, int channels)
    {
        if (!c.HasInput(2)) return null;
        var bias = c.ConstFloat(2);
        if (bias.Length != channels) throw c.Fail($"bias '{c.Input(2).Name}' has {bias.Length} values for {channels} output channels");
        return bias;
    }
}

/// <summary>What the int8 CONV_2D and DEPTHWISE_CONV_2D kernels share: the window, offsets,
/// activation range, weights, bias and per-channel requantization, all decided in Prepare.</summary>
internal abstract class Int8WindowKernel : OpKernel
{
    internal int Batches, InC, OutC, InputOffset, OutputOffset, ActMin, ActMax, InAt, OutAt;
    internal Window W;
    internal sbyte[] Filter = [];
    internal int[]? Bias;
    internal int[] Multipliers = [], Shifts = [];

    /// <summary>The int8 input/output checks and the three 4-D shapes (input, filter, output).</summary>
    protected static (int[] In, int[] Filter, int[] Out) Shapes(KernelContext c)
    {
        c.RequireType(c.Input(0), TfLiteType.Int8, "input");
        c.RequireType(c.Output(), TfLiteType.Int8, "output");
        return (KernelContext.As4D(c.Input(0), c, "input"), KernelContext.As4D(c.Input(1), c, "filter"), KernelContext.As4D(c.Output(), c, "output"));
    }

    /// <summary>Everything after the op's own shape checks.</summary>
    protected void PrepareWindow(KernelContext c, int[] inS, int[] fS, int[] outS, int outC,
        TfLitePadding padding, int strideH, int strideW, int dilationH, int dilationW, TfLiteActivation activation)
    {
        var (input, filter, output) = (c.Input(0), c.Input(1), c.Output());
        var (_, inZp) = c.PerTensor(input);
        var (outScale, outZp) = c.PerTensor(output);
        Batches = inS[0]; InC = inS[3]; OutC = outC;
        W = Window.Create(c, padding, inS[1], inS[2], fS[1], fS[2], strideH, strideW, dilationH, dilationW, outS[1], outS[2]);
        InputOffset = -inZp; OutputOffset = outZp;
        Filter = c.ConstInt8(1); Bias = ChannelQuantization.Bias(c, outC);
        InAt = c.InputOffset(0); OutAt = c.OutputOffset();
        (ActMin, ActMax) = FixedPoint.ActivationRange(activation, outScale, outZp);
        (Multipliers, Shifts) = ChannelQuantization.Compute(c, input, filter, output, outC);
    }
}

/// <summary>CONV_2D, int8 activations, int8 per-channel (or per-tensor) weights [O,KH,KW,I],
/// int32 bias: reference_integer_ops::ConvPerChannel.</summary>
internal sealed class Int8ConvKernel : Int8WindowKernel
{
    public static Int8ConvKernel Prepare(KernelContext c)
    {
        var o = c.Options<Conv2DOptions>();
        var (inS, fS, outS) = Shapes(c);
        if (fS[3] != inS[3]) throw c.Fail($"filter has {fS[3]} input channels, input has {inS[3]} (grouped convolution is not supported)");
        if (outS[3] != fS[0] || outS[0] != inS[0]) throw c.Fail("output shape does not match the batch and filter count");
        var k = new Int8ConvKernel();
        k.PrepareWindow(c, inS, fS, outS, fS[0], o.Padding, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.Activation);
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var w = W;
        var input = I8(arena, InAt, Batches * w.InH * w.InW * InC);
        var output = I8(arena, OutAt, Batches * w.OutH * w.OutW * OutC);
        var filter = Filter.AsSpan();
        for (int b = 0; b < Batches; b++)
            for (int oy = 0; oy < w.OutH; oy++)
                for (int ox = 0; ox < w.OutW; ox++)
                {
                    int y0 = oy * w.StrideH - w.PadH, x0 = ox * w.StrideW - w.PadW;
                    int outBase = ((b * w.OutH + oy) * w.OutW + ox) * OutC;
                    for (int oc = 0; oc < OutC; oc++)
                    {
                        int acc = 0;
                        for (int ky = 0; ky < w.KH; ky++)
                        {
                            int iy = y0 + ky * w.DilationH;
                            if ((uint)iy >= (uint)w.InH) continue;
                            for (int kx = 0; kx < w.KW; kx++)
                            {
                                int ix = x0 + kx * w.DilationW;
                                if ((uint)ix >= (uint)w.InW) continue;
                                var inPix = input.Slice(((b * w.InH + iy) * w.InW + ix) * InC, InC);
                                var f = filter.Slice(((oc * w.KH + ky) * w.KW + kx) * InC, InC);
                                for (int ic = 0; ic < InC; ic++) acc += (inPix[ic] + InputOffset) * f[ic];
                            }
                        }
                        if (Bias != null) acc += Bias[oc];
                        acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, Multipliers[oc], Shifts[oc]) + OutputOffset;
                        output[outBase + oc] = (sbyte)Clamp(acc, ActMin, ActMax);
                    }
                }
    }
}

/// <summary>DEPTHWISE_CONV_2D, int8: reference_integer_ops::DepthwiseConvPerChannel. Weights
/// [1,KH,KW,C*M]; output channel c*M + m reads input channel c.</summary>
internal sealed class Int8DepthwiseKernel : Int8WindowKernel
{
    internal int DepthMultiplier;

    public static Int8DepthwiseKernel Prepare(KernelContext c)
    {
        var o = c.Options<DepthwiseConv2DOptions>();
        var (inS, fS, outS) = Shapes(c);
        int m = fS[3] / Math.Max(inS[3], 1);
        if (fS[0] != 1 || fS[3] != inS[3] * m || m < 1 || outS[3] != fS[3] || outS[0] != inS[0])
            throw c.Fail($"filter [{string.Join(",", fS)}] does not fit input [{string.Join(",", inS)}] and output [{string.Join(",", outS)}]");
        if (o.DepthMultiplier != 0 && o.DepthMultiplier != m)
            throw c.Fail($"depth_multiplier {o.DepthMultiplier} but the filter implies {m}");
        var k = new Int8DepthwiseKernel { DepthMultiplier = m };
        k.PrepareWindow(c, inS, fS, outS, fS[3], o.Padding, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.Activation);
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var w = W;
        var input = I8(arena, InAt, Batches * w.InH * w.InW * InC);
        var output = I8(arena, OutAt, Batches * w.OutH * w.OutW * OutC);
        var filter = Filter.AsSpan();
        for (int b = 0; b < Batches; b++)
            for (int oy = 0; oy < w.OutH; oy++)
                for (int ox = 0; ox < w.OutW; ox++)
                {
                    int y0 = oy * w.StrideH - w.PadH, x0 = ox * w.StrideW - w.PadW;
                    int outBase = ((b * w.OutH + oy) * w.OutW + ox) * OutC;
                    for (int ic = 0; ic < InC; ic++)
                        for (int mm = 0; mm < DepthMultiplier; mm++)
                        {
                            int oc = ic * DepthMultiplier + mm;
                            int acc = 0;
                            for (int ky = 0; ky < w.KH; ky++)
                            {
                                int iy = y0 + ky * w.DilationH;
                                if ((uint)iy >= (uint)w.InH) continue;
                                for (int kx = 0; kx < w.KW; kx++)
                                {
                                    int ix = x0 + kx * w.DilationW;
                                    if ((uint)ix >= (uint)w.InW) continue;
                                    acc += (input[((b * w.InH + iy) * w.InW + ix) * InC + ic] + InputOffset) * filter[(ky * w.KW + kx) * OutC + oc];
                                }
                            }
                            if (Bias != null) acc += Bias[oc];
                            acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, Multipliers[oc], Shifts[oc]) + OutputOffset;
                            output[outBase + oc] = (sbyte)Clamp(acc, ActMin, ActMax);
                        }
                }
    }
}

/// <summary>CONV_2D and DEPTHWISE_CONV_2D in float32 (reference_ops::Conv / DepthwiseConv).</summary>
internal sealed class FloatConvKernel : OpKernel
{
    internal bool Depthwise;
    internal int Batches, InC, OutC, DepthMultiplier = 1, InAt, OutAt;
    internal float ActMin, ActMax;
    internal Window W;
    internal float[] Filter = [];
    internal float[]? Bias;

    public static FloatConvKernel Prepare(KernelContext c, bool depthwise)
    {
        var (input, filter, output) = (c.Input(0), c.Input(1), c.Output());
        c.RequireType(input, TfLiteType.Float32, "input");
        c.RequireType(output, TfLiteType.Float32, "output");
        var inS = KernelContext.As4D(input, c, "input");
        var fS = KernelContext.As4D(filter, c, "filter");
        var outS = KernelContext.As4D(output, c, "output");
        TfLitePadding padding; int sh, sw, dh, dw; TfLiteActivation act;
        int outC, m = 1;
        if (depthwise)
        {
            var o = c.Options<DepthwiseConv2DOptions>();
            (padding, sh, sw, dh, dw, act) = (o.Padding, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.Activation);
            m = fS[3] / Math.Max(inS[3], 1);
            if (fS[0] != 1 || m < 1 || fS[3] != inS[3] * m) throw c.Fail($"filter [{string.Join(",", fS)}] does not fit input [{string.Join(",", inS)}]");
            outC = fS[3];
        }
        else
        {
            var o = c.Options<Conv2DOptions>();
            (padding, sh, sw, dh, dw, act) = (o.Padding, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.Activation);
            if (fS[3] != inS[3]) throw c.Fail($"filter has {fS[3]} input channels, input has {inS[3]}");
            outC = fS[0];
        }
        if (outS[3] != outC) throw c.Fail($"output has {outS[3]} channels, the filter gives {outC}");
        var k = new FloatConvKernel
        {
            Depthwise = depthwise, Batches = inS[0], InC = inS[3], OutC = outC, DepthMultiplier = m,
            W = Window.Create(c, padding, inS[1], inS[2], fS[1], fS[2], sh, sw, dh, dw, outS[1], outS[2]),
            Filter = c.ConstFloat(1), Bias = ChannelQuantization.FloatBias(c, outC),
            InAt = c.InputOffset(0), OutAt = c.OutputOffset(),
        };
        (k.ActMin, k.ActMax) = FixedPoint.ActivationRangeFloat(act);
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        var w = W;
        var input = F32(arena, InAt, Batches * w.InH * w.InW * InC);
        var output = F32(arena, OutAt, Batches * w.OutH * w.OutW * OutC);
        for (int b = 0; b < Batches; b++)
            for (int oy = 0; oy < w.OutH; oy++)
                for (int ox = 0; ox < w.OutW; ox++)
                    for (int oc = 0; oc < OutC; oc++)
                    {
                        float acc = 0;
                        for (int ky = 0; ky < w.KH; ky++)
                        {
                            int iy = oy * w.StrideH - w.PadH + ky * w.DilationH;
                            if ((uint)iy >= (uint)w.InH) continue;
                            for (int kx = 0; kx < w.KW; kx++)
                            {
                                int ix = ox * w.StrideW - w.PadW + kx * w.DilationW;
                                if ((uint)ix >= (uint)w.InW) continue;
                                int inBase = ((b * w.InH + iy) * w.InW + ix) * InC;
                                if (Depthwise)
                                    acc += input[inBase + oc / DepthMultiplier] * Filter[(ky * w.KW + kx) * OutC + oc];
                                else
                                    for (int ic = 0; ic < InC; ic++) acc += input[inBase + ic] * Filter[((oc * w.KH + ky) * w.KW + kx) * InC + ic];
                            }
                        }
                        if (Bias != null) acc += Bias[oc];
                        output[((b * w.OutH + oy) * w.OutW + ox) * OutC + oc] = Clamp(acc, ActMin, ActMax);
                    }
    }
}
