namespace Dnas.Engine.Reference;

/// <summary>Plain ReLU6 and global average pool, the yardsticks for the fused fast paths.</summary>
public static class ElementwiseReference
{
    public static void Relu6Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = Math.Min(Math.Max(x[i], 0f), 6f);
    }

    // Gradient passes where 0 < y < 6 (PyTorch's hardtanh backward: strict on both ends).
    public static void Relu6Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
    {
        for (int i = 0; i < dy.Length; i++) dx[i] = y[i] > 0f && y[i] < 6f ? dy[i] : 0f;
    }

    // x [N,HW,C] -> y [N,C]
    public static void GlobalAvgPoolForward(ReadOnlySpan<float> x, Span<float> y, int n, int hw, int c)
    {
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
            {
                double s = 0;
                for (int i = 0; i < hw; i++) s += x[(b * hw + i) * c + ch];
                y[b * c + ch] = (float)(s / hw);
            }
    }

    // dy [N,C] -> dx [N,HW,C]
    public static void GlobalAvgPoolBackward(ReadOnlySpan<float> dy, Span<float> dx, int n, int hw, int c)
    {
        for (int b = 0; b < n; b++)
            for (int i = 0; i < hw; i++)
                for (int ch = 0; ch < c; ch++)
                    dx[(b * hw + i) * c + ch] = dy[b * c + ch] / hw;
    }
}
