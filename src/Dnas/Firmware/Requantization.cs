using Dnas.TfLite;

namespace Dnas.Firmware;

/// <summary>The "Prepare" arithmetic of TFLite's reference kernels, done once in C# so the
/// generated C only runs integer "Eval" code: real multipliers as Q31 integer + shift
/// (<c>QuantizeMultiplier</c>), fused-activation ranges, SAME/VALID padding, softmax input
/// scaling. Each method follows tensorflow/lite/kernels/internal/quantization_util.cc and
/// kernel_util.cc (double-rounding build, the default of TFLite and TFLM).</summary>
public static class Requantization
{
    /// <summary>d = multiplier · 2^shift / 2^31 with multiplier in [2^30, 2^31) (or 0, 0).</summary>
    public static (int Multiplier, int Shift) QuantizeMultiplier(double d)
    {
        if (d == 0) return (0, 0);
        if (!double.IsFinite(d) || d < 0) throw new ArgumentOutOfRangeException(nameof(d), d, "a requantization multiplier must be finite and non-negative");
        // frexp: d = q · 2^shift with q in [0.5, 1).
        int shift = Math.ILogB(d) + 1;
        double q = Math.ScaleB(d, -shift);
        long fixedQ = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (fixedQ == 1L << 31) { fixedQ /= 2; shift++; }
        if (shift < -31) { shift = 0; fixedQ = 0; }
        return ((int)fixedQ, shift);
    }

    /// <summary>Per output channel: input_scale · filter_scale[c] / output_scale (in double, as TFLM).</summary>
    public static (int[] Multipliers, int[] Shifts) PerChannel(float inputScale, float[] filterScales, float outputScale, int channels)
    {
        var m = new int[channels];
        var s = new int[channels];
        for (int c = 0; c < channels; c++)
        {
            float fs = filterScales.Length == 1 ? filterScales[0] : filterScales[c];
            (m[c], s[c]) = QuantizeMultiplier((double)inputScale * fs / outputScale);
        }
        return (m, s);
    }

    /// <summary>The int8 range of a fused activation (CalculateActivationRangeQuantized: f/scale in float, rounded half away from zero).</summary>
    public static (int Min, int Max) ActivationRange(TfLiteActivation activation, float scale, int zeroPoint)
    {
        int Quantize(float f) => zeroPoint + (int)MathF.Round(f / scale, MidpointRounding.AwayFromZero);
        return activation switch
        {
            TfLiteActivation.None => (-128, 127),
            TfLiteActivation.Relu => (Math.Max(-128, Quantize(0f)), 127),
            TfLiteActivation.Relu6 => (Math.Max(-128, Quantize(0f)), Math.Min(127, Quantize(6f))),
            TfLiteActivation.ReluN1To1 => (Math.Max(-128, Quantize(-1f)), Math.Min(127, Quantize(1f))),
            _ => throw new FirmwareException($"fused activation {activation} is not supported by the int8 kernels (use NONE, RELU, RELU6 or RELU_N1_TO_1)"),
        };
    }

    /// <summary>Output size and leading padding of one axis (ComputePaddingHeightWidth).</summary>
    public static (int Out, int Pad) Padding(TfLitePadding padding, int input, int filter, int stride, int dilation)
    {
        int effective = (filter - 1) * dilation + 1;
        int output = padding == TfLitePadding.Same ? (input + stride - 1) / stride : (input - effective + stride) / stride;
        int total = Math.Max(0, (output - 1) * stride + effective - input);
        return (output, total / 2);
    }

    /// <summary>SOFTMAX int8 parameters: (input_multiplier, input_left_shift, diff_min) for 5
    /// integer bits of scaled difference (PreprocessSoftmaxScaling, CalculateInputRadius).</summary>
    public static (int Multiplier, int LeftShift, int DiffMin) Softmax(double beta, float inputScale)
    {
        const int integerBits = 5;
        double real = Math.Min(beta * inputScale * (1 << (31 - integerBits)), (1L << 31) - 1.0);
        var (multiplier, shift) = QuantizeMultiplier(real);
        if (shift < 0) throw new FirmwareException($"SOFTMAX: beta x input scale {beta * inputScale} is too small for the int8 kernel");
        double radius = 1.0 * ((1 << integerBits) - 1) * (1L << (31 - integerBits)) / (1L << shift);
        return (multiplier, shift, -(int)Math.Floor(radius));
    }

    /// <summary>ADD int8 parameters (TFLM add.cc): left shift 20, inputs scaled by 1/(2·max scale).</summary>
    public static (int LeftShift, (int M, int S) In1, (int M, int S) In2, (int M, int S) Out) Add(float scale1, float scale2, float outputScale)
    {
        const int leftShift = 20;
        double twiceMax = 2 * (double)Math.Max(scale1, scale2);
        return (leftShift, QuantizeMultiplier(scale1 / twiceMax), QuantizeMultiplier(scale2 / twiceMax),
            QuantizeMultiplier(twiceMax / ((1 << leftShift) * (double)outputScale)));
    }
}
