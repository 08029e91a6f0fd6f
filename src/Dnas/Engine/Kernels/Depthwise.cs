using Dnas.Engine.Reference;

namespace Dnas.Engine.Kernels;

/// <summary>Depthwise KxK convolution (K = 3, 5, 7; stride 1 or 2; TFLite SAME padding),
/// NHWC, weights [K,K,C]. Vectorised over channels, parallel over rows.</summary>
public static class Depthwise
{
    // x [N,H,W,C], w [K,K,C] -> y [N,OH,OW,C]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int n, int h, int wd, int c, int k, int stride)
        => DepthwiseReference.Forward(x, w, y, n, h, wd, c, k, stride);

    // dy [N,OH,OW,C], w [K,K,C] -> dx [N,H,W,C] (overwritten)
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int n, int h, int wd, int c, int k, int stride)
        => DepthwiseReference.BackwardInput(dy, w, dx, n, h, wd, c, k, stride);

    // dy [N,OH,OW,C], x [N,H,W,C] -> dw [K,K,C] (overwritten)
    public static void BackwardWeight(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw, int n, int h, int wd, int c, int k, int stride)
        => DepthwiseReference.BackwardWeight(dy, x, dw, n, h, wd, c, k, stride);
}
