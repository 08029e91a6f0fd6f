using Xunit;

namespace Dnas.Tests.Engine;

internal static class KernelAssert
{
    public static float[] RandomFloats(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Dnas.Engine.Rng((ulong)seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return a;
    }

    /// <summary>max |e − a| ≤ tol · max(1, max |e|): float kernels that only reorder sums.</summary>
    public static void Close(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol = 1e-5)
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: {actual.Length} elements, expected {expected.Length}");
        double scale = 1, worst = 0; int at = 0;
        for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(expected[i] - actual[i]);
            if (double.IsNaN(actual[i])) d = double.PositiveInfinity;
            if (d > worst) { worst = d; at = i; }
        }
        Assert.True(worst <= tol * scale, $"{what}: error {worst:E2} at [{at}] (expected {expected[at]}, got {actual[at]}, scale {scale:E2})");
    }
}
