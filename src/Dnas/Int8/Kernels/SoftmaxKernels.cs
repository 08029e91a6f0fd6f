using Dnas.TfLite;

namespace Dnas.Int8.Kernels;

/// <summary>SOFTMAX over the last dimension. Int8 is TFLite's reference quantized softmax: input
/// differences from the row maximum rescaled to Q5.26 by beta * input_scale, exp of negative
/// values in gemmlowp fixed point, summed in Q12.19, the reciprocal by Newton-Raphson, output
/// with scale 1/256 and zero point -128. Differences below diff_min contribute nothing.</summary>
internal sealed class SoftmaxKernel : OpKernel
{
    internal const int ScaledDiffIntegerBits = 5, AccumulationIntegerBits = 12;
    internal bool Float;
    internal int Rows, Depth, InputMultiplier, InputLeftShift, DiffMin, InAt, OutAt;
    internal float Beta;

    public static SoftmaxKernel Prepare(KernelContext c)
    {
        var o = c.Op.Options as SoftmaxOptions ?? new SoftmaxOptions();
        var (input, output) = (c.Input(0), c.Output());
        if (input.Shape.Length == 0) throw c.Fail("input is a scalar");
        bool isFloat = input.Type == TfLiteType.Float32;
        if (!isFloat) c.RequireType(input, TfLiteType.Int8, "input");
        c.RequireType(output, input.Type, "output");
        int depth = input.Shape[^1];
        var k = new SoftmaxKernel
        {
            Float = isFloat, Depth = depth, Rows = depth == 0 ? 0 : (int)(input.ElementCount / depth), Beta = o.Beta,
            InAt = c.InputOffset(0), OutAt = c.OutputOffset(),
        };
        if (output.ElementCount != input.ElementCount) throw c.Fail("input and output sizes differ");
        if (!isFloat)
        {
            var (inScale, _) = c.PerTensor(input);
            var (outScale, outZp) = c.PerTensor(output);
            if (outScale != 1f / 256 || outZp != -128)
                throw c.Fail($"int8 output '{output.Name}' must have scale 1/256 and zero point -128 (has {outScale}, {outZp})");
            double real = Math.Min((double)o.Beta * inScale * (1 << (31 - ScaledDiffIntegerBits)), (1L << 31) - 1.0);
            (k.InputMultiplier, k.InputLeftShift) = FixedPoint.QuantizeMultiplier(real);
            if (k.InputLeftShift < 0) throw c.Fail($"beta * input scale = {o.Beta * inScale} is too small for the int8 softmax");
            double maxInputRescaled = 1.0 * ((1 << ScaledDiffIntegerBits) - 1) * (1L << (31 - ScaledDiffIntegerBits)) / (1L << k.InputLeftShift);
            k.DiffMin = -(int)Math.Floor(maxInputRescaled);
        }
        return k;
    }

    public override void Eval(Span<byte> arena)
    {
        if (Float) { EvalFloat(arena); return; }
        var input = I8(arena, InAt, Rows * Depth);
        var output = I8(arena, OutAt, Rows * Depth);
        for (int r = 0; r < Rows; r++)
        {
            var x = input.Slice(r * Depth, Depth);
            var y = output.Slice(r * Depth, Depth);
            int max = sbyte.MinValue;
            for (int i = 0; i < Depth; i++) max = Math.Max(max, x[i]);
            int sumOfExps = 0; // Q12.19
            for (int i = 0; i < Depth; i++)
            {
                int diff = x[i] - max;
                if (diff >= DiffMin)
                {
                    int rescaled = FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(diff, InputMultiplier, InputLeftShift);
                    int exp = FixedPoint.ExpOnNegativeValues(rescaled, ScaledDiffIntegerBits);
                    sumOfExps = unchecked(sumOfExps + FixedPoint.SaturatingRoundingMultiplyByPOT(exp, -AccumulationIntegerBits));
                }
            }
            int shiftedScale = FixedPoint.GetReciprocal(sumOfExps, AccumulationIntegerBits, out int numBitsOverUnit);
            for (int i = 0; i < Depth; i++)
            {
                int diff = x[i] - max;
                if (diff >= DiffMin)
                {
                    int rescaled = FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(diff, InputMultiplier, InputLeftShift);
                    int exp = FixedPoint.ExpOnNegativeValues(rescaled, ScaledDiffIntegerBits);
                    int unsat = FixedPoint.RoundingDivideByPOT(FixedPoint.SaturatingRoundingDoublingHighMul(shiftedScale, exp), numBitsOverUnit + 31 - 8);
                    y[i] = (sbyte)Clamp(unsat + sbyte.MinValue, sbyte.MinValue, sbyte.MaxValue);
                }
                else y[i] = sbyte.MinValue;
            }
        }
    }

    private void EvalFloat(Span<byte> arena)
    {
        var input = F32(arena, InAt, Rows * Depth);
        var output = F32(arena, OutAt, Rows * Depth);
        for (int r = 0; r < Rows; r++)
        {
            var x = input.Slice(r * Depth, Depth);
            var y = output.Slice(r * Depth, Depth);
            float max = float.MinValue;
            for (int i = 0; i < Depth; i++) max = Math.Max(max, x[i]);
            float sum = 0;
            for (int i = 0; i < Depth; i++) sum += y[i] = MathF.Exp((x[i] - max) * Beta);
            for (int i = 0; i < Depth; i++) y[i] /= sum;
        }
    }
}
