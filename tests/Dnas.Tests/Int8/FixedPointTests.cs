using Dnas.Int8;
using Xunit;

namespace Dnas.Tests.Int8;

/// <summary>Hand-checked corner cases of the reference kernels' integer helpers.</summary>
public sealed class FixedPointTests
{
    [Fact]
    public void SaturatingRoundingDoublingHighMulCorners()
    {
        Assert.Equal(int.MaxValue, FixedPoint.SaturatingRoundingDoublingHighMul(int.MinValue, int.MinValue));
        Assert.Equal(int.MinValue + 1, FixedPoint.SaturatingRoundingDoublingHighMul(int.MinValue, int.MaxValue));
        Assert.Equal(1 << 29, FixedPoint.SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30)); // 0.5 * 0.5 = 0.25
        Assert.Equal(0, FixedPoint.SaturatingRoundingDoublingHighMul(1, 1 << 29));              // 0.25 rounds to 0
        Assert.Equal(1, FixedPoint.SaturatingRoundingDoublingHighMul(1, 1 << 30));              // exactly 0.5 rounds away from 0
        // Negative ties: the nudge is 1 - 2^30 and C++ division truncates, so exactly -0.5 goes to 0
        // and only values beyond it to -1 (the reference is not symmetric; we must not be either).
        Assert.Equal(0, FixedPoint.SaturatingRoundingDoublingHighMul(-1, 1 << 30));
        Assert.Equal(-1, FixedPoint.SaturatingRoundingDoublingHighMul(-1, (1 << 30) + 1));
    }

    [Fact]
    public void RoundingDivideByPOTRoundsHalfAwayFromZero()
    {
        Assert.Equal(3, FixedPoint.RoundingDivideByPOT(5, 1));    //  2.5 ->  3
        Assert.Equal(-3, FixedPoint.RoundingDivideByPOT(-5, 1));  // -2.5 -> -3
        Assert.Equal(-2, FixedPoint.RoundingDivideByPOT(-7, 2));  // -1.75 -> -2
        Assert.Equal(-1, FixedPoint.RoundingDivideByPOT(-5, 2));  // -1.25 -> -1
        Assert.Equal(-2, FixedPoint.RoundingDivideByPOT(-6, 2));  // -1.5 -> -2 (away from zero)
        Assert.Equal(2, FixedPoint.RoundingDivideByPOT(6, 2));    //  1.5 ->  2
    }

    [Fact]
    public void QuantizeMultiplierIsFrexpInQ31()
    {
        Assert.Equal((1 << 30, 0), FixedPoint.QuantizeMultiplier(0.5));
        Assert.Equal((1 << 30, 1), FixedPoint.QuantizeMultiplier(1.0));
        Assert.Equal((1 << 30, -1), FixedPoint.QuantizeMultiplier(0.25));
        Assert.Equal((1610612736, 0), FixedPoint.QuantizeMultiplier(0.75));
        Assert.Equal((0, 0), FixedPoint.QuantizeMultiplier(0));
        Assert.Equal((0, 0), FixedPoint.QuantizeMultiplier(1e-12));           // exponent below -31 flushes to zero
        // A fraction that rounds up to 2^31 is halved and the exponent raised.
        Assert.Equal((1 << 30, 1), FixedPoint.QuantizeMultiplier(1.0 - 1e-12));
        var (m, s) = FixedPoint.QuantizeMultiplier(0.0003);
        Assert.Equal(0.0003, m * Math.Pow(2, s - 31), 12);
    }

    [Fact]
    public void MultiplyByQuantizedMultiplierMatchesRealProductToOneUnit()
    {
        var rng = new Random(5);
        for (int i = 0; i < 20000; i++)
        {
            double real = Math.Exp(rng.NextDouble() * 12 - 10);
            int x = rng.Next(-1 << 20, 1 << 20);
            var (m, s) = FixedPoint.QuantizeMultiplier(real);
            int got = FixedPoint.MultiplyByQuantizedMultiplier(x, m, s);
            Assert.True(Math.Abs(got - x * real) <= 1.0, $"x={x} real={real}: {got} vs {x * real}");
        }
        // x * 0.5 with shift 0 rounds only in the high multiply: 1.5 -> 2 but -1.5 -> -1.
        Assert.Equal(2, FixedPoint.MultiplyByQuantizedMultiplier(3, 1 << 30, 0));
        Assert.Equal(-1, FixedPoint.MultiplyByQuantizedMultiplier(-3, 1 << 30, 0));
        // With a right shift the rounding happens in RoundingDivideByPOT, away from zero: -6 * 0.25 = -1.5 -> -2.
        Assert.Equal(-2, FixedPoint.MultiplyByQuantizedMultiplier(-6, 1 << 30, -1));
    }

    [Fact]
    public void ExpAndReciprocalAreAccurate()
    {
        for (double a = -31.9; a <= 0; a += 0.01)
        {
            int raw = (int)Math.Round(a * (1 << 26));
            double got = FixedPoint.ExpOnNegativeValues(raw, 5) / 2147483648.0;
            Assert.True(Math.Abs(got - Math.Exp(raw / (double)(1 << 26))) < 1e-6, $"exp({a}) = {got}");
        }
        Assert.Equal(int.MaxValue, FixedPoint.ExpOnNegativeValues(0, 5));
        for (double x = 0; x < 1; x += 0.001)
        {
            int raw = (int)(x * 2147483648.0);
            double got = FixedPoint.OneOverOnePlusXForXIn01(raw) / 2147483648.0;
            Assert.True(Math.Abs(got - 1 / (1 + raw / 2147483648.0)) < 1e-7, $"1/(1+{x}) = {got}");
        }
    }
}
