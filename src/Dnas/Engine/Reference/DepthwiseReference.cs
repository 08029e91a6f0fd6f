using System.Numerics;
namespace Dnas.Engine.Reference;

/// <summary>Plain depthwise convolution, NHWC, weights [K,K,C] (TFLite's [1,K,K,C]),
/// depth multiplier 1, TFLite SAME padding. Yardstick for <see cref="Kernels.Depthwise"/>.</summary>
public static class DepthwiseReference
{
    // x [N,H,W,C], w [K,K,C] -> y [N,OH,OW,C]
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y,
        int n, int h, int wd, int c, int k, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        int pt = Padding.SameBefore(h, k, stride), pl = Padding.SameBefore(wd, k, stride);
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        T s = T.Zero;
                        for (int ky = 0; ky < k; ky++)
                        {
                            int iy = oy * stride - pt + ky;
                            if ((uint)iy >= (uint)h) continue;
                            for (int kx = 0; kx < k; kx++)
                            {
                                int ix = ox * stride - pl + kx;
                                if ((uint)ix >= (uint)wd) continue;
                                s += x[((b * h + iy) * wd + ix) * c + ch] * w[(ky * k + kx) * c + ch];
                            }
                        }
                        y[((b * oh + oy) * ow + ox) * c + ch] = s;
                    }
    }

    // dy [N,OH,OW,C], w [K,K,C] -> dx [N,H,W,C]
    public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx,
        int n, int h, int wd, int c, int k, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        int pt = Padding.SameBefore(h, k, stride), pl = Padding.SameBefore(wd, k, stride);
        dx[..(n * h * wd * c)].Clear();
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        T g = dy[((b * oh + oy) * ow + ox) * c + ch];
                        for (int ky = 0; ky < k; ky++)
                        {
                            int iy = oy * stride - pt + ky;
                            if ((uint)iy >= (uint)h) continue;
                            for (int kx = 0; kx < k; kx++)
                            {
                                int ix = ox * stride - pl + kx;
                                if ((uint)ix >= (uint)wd) continue;
                                dx[((b * h + iy) * wd + ix) * c + ch] += g * w[(ky * k + kx) * c + ch];
                            }
                        }
                    }
    }

    // dy [N,OH,OW,C], x [N,H,W,C] -> dw [K,K,C] (overwritten)
    public static void BackwardWeight<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dw,
        int n, int h, int wd, int c, int k, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        int pt = Padding.SameBefore(h, k, stride), pl = Padding.SameBefore(wd, k, stride);
        dw[..(k * k * c)].Clear();
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        T g = dy[((b * oh + oy) * ow + ox) * c + ch];
                        for (int ky = 0; ky < k; ky++)
                        {
                            int iy = oy * stride - pt + ky;
                            if ((uint)iy >= (uint)h) continue;
                            for (int kx = 0; kx < k; kx++)
                            {
                                int ix = ox * stride - pl + kx;
                                if ((uint)ix >= (uint)wd) continue;
                                dw[(ky * k + kx) * c + ch] += g * x[((b * h + iy) * wd + ix) * c + ch];
                            }
                        }
                    }
    }
}
