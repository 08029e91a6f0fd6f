using System.Runtime.InteropServices;

namespace Dnas.Int8.Kernels;

/// <summary>One prepared operator: everything (shapes, offsets, multipliers, shifts, padding,
/// constants) computed at Prepare; <see cref="Eval"/> only loops over the arena and allocates
/// nothing. Fields are internal so the firmware generator can read the precomputed values.</summary>
internal abstract class OpKernel
{
    internal int OpIndex;
    internal int Code;

    public abstract void Eval(Span<byte> arena);

    protected static Span<sbyte> I8(Span<byte> arena, int offset, int count) => MemoryMarshal.Cast<byte, sbyte>(arena.Slice(offset, count));
    protected static Span<float> F32(Span<byte> arena, int offset, int count) => MemoryMarshal.Cast<byte, float>(arena.Slice(offset, count * 4));

    protected static int Clamp(int v, int lo, int hi) => v < lo ? lo : v > hi ? hi : v;
    protected static float Clamp(float v, float lo, float hi) => v < lo ? lo : v > hi ? hi : v;
}

/// <summary>Spatial geometry of a convolution or pooling window (TFLite's ComputeOutSize and
/// ComputePaddingHeightWidth: SAME pads (total / 2) before, the rest after).</summary>
internal readonly record struct Window(int InH, int InW, int OutH, int OutW, int KH, int KW,
    int StrideH, int StrideW, int DilationH, int DilationW, int PadH, int PadW)
{
    public static int OutSize(Dnas.TfLite.TfLitePadding padding, int input, int filter, int stride, int dilation)
    {
        int effective = (filter - 1) * dilation + 1;
        return padding == Dnas.TfLite.TfLitePadding.Same ? (input + stride - 1) / stride : (input + stride - effective) / stride;
    }

    public static int Pad(int stride, int dilation, int input, int filter, int output)
    {
        int effective = (filter - 1) * dilation + 1;
        int total = (output - 1) * stride + effective - input;
        return total > 0 ? total / 2 : 0;
    }

    public static Window Create(KernelContext c, Dnas.TfLite.TfLitePadding padding, int inH, int inW, int kH, int kW,
        int strideH, int strideW, int dilationH, int dilationW, int declaredOutH, int declaredOutW)
    {
        if (strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0 || kH <= 0 || kW <= 0)
            throw c.Fail($"stride {strideH}x{strideW}, dilation {dilationH}x{dilationW}, window {kH}x{kW}: all must be positive");
        int outH = OutSize(padding, inH, kH, strideH, dilationH), outW = OutSize(padding, inW, kW, strideW, dilationW);
        if (outH != declaredOutH || outW != declaredOutW)
            throw c.Fail($"output tensor is {declaredOutH}x{declaredOutW} but {padding} padding of a {inH}x{inW} input with a {kH}x{kW} window, stride {strideH}x{strideW} gives {outH}x{outW}");
        return new Window(inH, inW, outH, outW, kH, kW, strideH, strideW, dilationH, dilationW,
            Pad(strideH, dilationH, inH, kH, outH), Pad(strideW, dilationW, inW, kW, outW));
    }
}
