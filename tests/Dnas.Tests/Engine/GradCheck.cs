using Xunit;

namespace Dnas.Tests.Engine;

/// <summary>Central finite differences in double precision against an analytic gradient.
/// The probe loss is L = Σ r·y with a fixed random r, so dL/dy = r is what backward receives.</summary>
internal static class GradCheck
{
    public const double Eps = 1e-6, Tolerance = 1e-6;

    public static double[] Random(int n, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Dnas.Engine.Rng((ulong)seed);
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextDouble();
        return a;
    }

    /// <summary>Checks up to <paramref name="samples"/> entries of <paramref name="input"/>:
    /// (L(x+ε) − L(x−ε)) / 2ε against <paramref name="analytic"/>.</summary>
    public static void Check(string what, double[] input, double[] analytic, Func<double> loss, int samples = 60)
    {
        Assert.Equal(input.Length, analytic.Length);
        int step = Math.Max(1, input.Length / samples);
        double scale = 1e-3;
        foreach (var g in analytic) scale = Math.Max(scale, Math.Abs(g));
        for (int i = 0; i < input.Length; i += step)
        {
            double saved = input[i];
            input[i] = saved + Eps; double lp = loss();
            input[i] = saved - Eps; double lm = loss();
            input[i] = saved;
            double numeric = (lp - lm) / (2 * Eps);
            double err = Math.Abs(numeric - analytic[i]) / scale;
            Assert.True(err <= Tolerance, $"{what}[{i}]: numeric {numeric:G10}, analytic {analytic[i]:G10}, relative error {err:E2}");
        }
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
