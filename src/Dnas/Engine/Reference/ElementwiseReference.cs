using System.Numerics;

namespace Dnas.Engine.Reference;

/// <summary>Plain ReLU6 and global average pool, the yardsticks for the fused fast paths.
/// Generic so gradient checks can run them in double.</summary>
public static class ElementwiseReference
{
    public static void Relu6Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T six = T.CreateChecked(6);
        for (int i = 0; i < x.Length; i++) y[i] = T.Min(T.Max(x[i], T.Zero), six);
    }

    // Gradient passes where 0 < y < 6 (PyTorch's hardtanh backward: strict on both ends).
    public static void Relu6Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> y, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T six = T.CreateChecked(6);
        for (int i = 0; i < dy.Length; i++) dx[i] = y[i] > T.Zero && y[i] < six ? dy[i] : T.Zero;
    }

    // x [N,HW,C] -> y [N,C]
    public static void GlobalAvgPoolForward<T>(ReadOnlySpan<T> x, Span<T> y, int n, int hw, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
            {
                T s = T.Zero;
                for (int i = 0; i < hw; i++) s += x[(b * hw + i) * c + ch];
                y[b * c + ch] = s / T.CreateChecked(hw);
            }
    }

    // dy [N,C] -> dx [N,HW,C]
    public static void GlobalAvgPoolBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int n, int hw, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
            for (int i = 0; i < hw; i++)
                for (int ch = 0; ch < c; ch++)
                    dx[(b * hw + i) * c + ch] = dy[b * c + ch] / T.CreateChecked(hw);
    }
}
