using System.Numerics;

namespace Dnas.Int8;

/// <summary>The integer arithmetic of TFLite's reference kernels (quantization_util / common.h)
/// and the parts of gemmlowp's fixed-point library the int8 softmax uses, with their exact
/// rounding. Bit-exact agreement with TFLite Micro depends on every detail here: C++ integer
/// division truncates toward zero, int32 overflow wraps, std::round rounds half away from zero.</summary>
public static class FixedPoint
{
    /// <summary>Splits a real multiplier into a Q31 integer in [2^30, 2^31) and a power-of-two
    /// exponent (frexp), so that m ~= multiplier * 2^-31 * 2^shift. Zero gives (0, 0); an exponent
    /// below -31 flushes to (0, 0) as the reference does.</summary>
    public static (int Multiplier, int Shift) QuantizeMultiplier(double multiplier)
    {
        if (multiplier == 0) return (0, 0);
        if (!double.IsFinite(multiplier)) throw new ArgumentOutOfRangeException(nameof(multiplier), multiplier, "a quantization multiplier must be finite");
        var (q, shift) = Frexp(multiplier);
        long fixedQ = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (fixedQ == 1L << 31)
        {
            fixedQ /= 2;
            shift++;
        }
        if (shift < -31)
        {
            shift = 0;
            fixedQ = 0;
        }
        return ((int)fixedQ, shift);
    }

    /// <summary>C's frexp: x = fraction * 2^exponent with |fraction| in [0.5, 1).</summary>
    public static (double Fraction, int Exponent) Frexp(double x)
    {
        if (x == 0 || !double.IsFinite(x)) return (x, 0);
        int exponent = Math.ILogB(x) + 1;
        double fraction = Math.ScaleB(x, -exponent);
        // Subnormal inputs: ILogB is exact, so fraction is already in range; guard rounding anyway.
        if (Math.Abs(fraction) >= 1) { fraction /= 2; exponent++; }
        return (fraction, exponent);
    }

    /// <summary>(a * b * 2) >> 32 rounded to nearest (ties away from zero in the reference's way);
    /// the single overflow case INT32_MIN * INT32_MIN saturates to INT32_MAX.</summary>
    public static int SaturatingRoundingDoublingHighMul(int a, int b)
    {
        if (a == b && a == int.MinValue) return int.MaxValue;
        long ab = (long)a * b;
        int nudge = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
        return (int)((ab + nudge) / (1L << 31));
    }

    /// <summary>x / 2^exponent rounded to nearest, ties away from zero (gemmlowp RoundingDivideByPOT).</summary>
    public static int RoundingDivideByPOT(int x, int exponent)
    {
        int mask = (int)((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /// <summary>x * multiplier * 2^shift with the reference's double rounding (left shift first,
    /// then the high multiply, then a rounding right shift).</summary>
    public static int MultiplyByQuantizedMultiplier(int x, int multiplier, int shift)
    {
        int left = shift > 0 ? shift : 0;
        int right = shift > 0 ? 0 : -shift;
        return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(unchecked(x * (1 << left)), multiplier), right);
    }

    /// <summary>The softmax's input rescaling: a left shift (wrapping like C++) then the high multiply.</summary>
    public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int multiplier, int leftShift) =>
        SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier);

    /// <summary>TFLite's CalculateActivationRangeQuantized for int8 outputs.</summary>
    public static (int Min, int Max) ActivationRange(Dnas.TfLite.TfLiteActivation activation, float scale, long zeroPoint)
    {
        const int qmin = sbyte.MinValue, qmax = sbyte.MaxValue;
        int Quantize(float f) => (int)zeroPoint + (int)MathF.Round(f / scale, MidpointRounding.AwayFromZero);
        return activation switch
        {
            Dnas.TfLite.TfLiteActivation.None => (qmin, qmax),
            Dnas.TfLite.TfLiteActivation.Relu => (Math.Max(qmin, Quantize(0f)), qmax),
            Dnas.TfLite.TfLiteActivation.Relu6 => (Math.Max(qmin, Quantize(0f)), Math.Min(qmax, Quantize(6f))),
            Dnas.TfLite.TfLiteActivation.ReluN1To1 => (Math.Max(qmin, Quantize(-1f)), Math.Min(qmax, Quantize(1f))),
            _ => throw new NotSupportedException($"fused activation {activation} is not supported for int8"),
        };
    }

    public static (float Min, float Max) ActivationRangeFloat(Dnas.TfLite.TfLiteActivation activation) => activation switch
    {
        Dnas.TfLite.TfLiteActivation.None => (float.MinValue, float.MaxValue),
        Dnas.TfLite.TfLiteActivation.Relu => (0f, float.MaxValue),
        Dnas.TfLite.TfLiteActivation.Relu6 => (0f, 6f),
        Dnas.TfLite.TfLiteActivation.ReluN1To1 => (-1f, 1f),
        _ => throw new NotSupportedException($"fused activation {activation} is not supported"),
    };

    // ---- gemmlowp fixed point (raw int32 values; the integer-bit count is the caller's bookkeeping) ----

    /// <summary>Multiplies by 2^exponent: saturating left shift for exponent > 0, rounding right shift below.</summary>
    public static int SaturatingRoundingMultiplyByPOT(int x, int exponent)
    {
        if (exponent == 0) return x;
        if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
        int threshold = (int)((1L << (31 - exponent)) - 1);
        if (x > threshold) return int.MaxValue;
        if (x < -threshold) return int.MinValue;
        return x << exponent;
    }

    /// <summary>(a + b) / 2 rounded away from zero, without overflow.</summary>
    public static int RoundingHalfSum(int a, int b)
    {
        long sum = (long)a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int)((sum + sign) / 2);
    }

    /// <summary>exp(a) for a in [-1/4, 0), a and result with 0 integer bits: a Taylor expansion around -1/8.</summary>
    public static int ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a)
    {
        const int constantTerm = 1895147668;     // exp(-1/8) in Q0.31
        const int constantOneThird = 715827883;  // 1/3 in Q0.31
        int x = unchecked(a + (1 << 28));        // a + 1/8
        int x2 = SaturatingRoundingDoublingHighMul(x, x);
        int x3 = SaturatingRoundingDoublingHighMul(x2, x);
        int x4 = SaturatingRoundingDoublingHighMul(x2, x2);
        int x4Over4 = SaturatingRoundingMultiplyByPOT(x4, -2);
        int poly = SaturatingRoundingMultiplyByPOT(
            unchecked(SaturatingRoundingDoublingHighMul(unchecked(x4Over4 + x3), constantOneThird) + x2), -1);
        return unchecked(constantTerm + SaturatingRoundingDoublingHighMul(constantTerm, unchecked(x + poly)));
    }

    /// <summary>exp(a) for a &lt;= 0 given with <paramref name="integerBits"/> integer bits; the
    /// result has 0 integer bits (gemmlowp exp_on_negative_values: the remainder mod 1/4 by the
    /// polynomial, then a barrel of exp(-2^k) factors).</summary>
    public static int ExpOnNegativeValues(int a, int integerBits)
    {
        int fractionalBits = 31 - integerBits;
        int oneQuarter = 1 << (fractionalBits - 2);
        int mask = oneQuarter - 1;
        int aModQuarterMinusQuarter = unchecked((a & mask) - oneQuarter);
        int result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(SaturatingRoundingMultiplyByPOT(aModQuarterMinusQuarter, integerBits));
        int remainder = unchecked(aModQuarterMinusQuarter - a);
        ReadOnlySpan<int> multipliers = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];
        for (int k = 0; k < multipliers.Length; k++)
        {
            int exponent = k - 2;
            if (integerBits > exponent)
            {
                int bit = fractionalBits + exponent;
                if ((remainder & (1 << bit)) != 0) result = SaturatingRoundingDoublingHighMul(result, multipliers[k]);
            }
        }
        if (integerBits > 5)
        {
            int clamp = -(1 << (36 - integerBits)); // -32.0
            if (a < clamp) result = 0;
        }
        if (a == 0) result = int.MaxValue; // One() with 0 integer bits is the saturated maximum
        return result;
    }

    /// <summary>1 / (1 + a) for a in [0, 1), both with 0 integer bits: Newton-Raphson as gemmlowp does it.</summary>
    public static int OneOverOnePlusXForXIn01(int a)
    {
        int halfDenominator = RoundingHalfSum(a, int.MaxValue);
        const int constant48Over17 = 1515870810;     // Q2.29
        const int constantNeg32Over17 = -1010580540; // Q2.29
        int x = unchecked(constant48Over17 + SaturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17));
        const int oneQ2 = 1 << 29;
        for (int i = 0; i < 3; i++)
        {
            int halfDenominatorTimesX = SaturatingRoundingDoublingHighMul(halfDenominator, x);
            int oneMinus = unchecked(oneQ2 - halfDenominatorTimesX);
            x = unchecked(x + SaturatingRoundingMultiplyByPOT(SaturatingRoundingDoublingHighMul(x, oneMinus), 2));
        }
        // x / 2 (exact: reinterpret with one integer bit fewer), rescaled from 1 to 0 integer bits.
        return SaturatingRoundingMultiplyByPOT(x, 1);
    }

    /// <summary>TFLite's GetReciprocal: 1/x for a positive accumulator with <paramref name="integerDigits"/>
    /// integer bits, as a Q0.31 scale plus the number of bits over one.</summary>
    public static int GetReciprocal(int x, int integerDigits, out int numBitsOverUnit)
    {
        int headroomPlusOne = BitOperations.LeadingZeroCount((uint)x);
        numBitsOverUnit = integerDigits - headroomPlusOne;
        int shiftedSumMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
        return OneOverOnePlusXForXIn01(shiftedSumMinusOne);
    }
}
