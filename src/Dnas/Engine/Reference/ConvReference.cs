using System.Numerics;
namespace Dnas.Engine.Reference;

/// <summary>Plain 2-D convolution, NHWC input, weights [O,KH,KW,I], TFLite SAME padding.
/// Used for the stem (3x3 stride 2, 1 or 3 input channels) and as the yardstick for
/// <see cref="Kernels.Conv2d"/>.</summary>
public static class ConvReference
{
    // x [N,H,W,I], w [O,K,K,I] -> y [N,OH,OW,O]
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y,
        int n, int h, int wd, int ci, int co, int k, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        int pt = Padding.SameBefore(h, k, stride), pl = Padding.SameBefore(wd, k, stride);
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int o = 0; o < co; o++)
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
                                for (int i = 0; i < ci; i++)
                                    s += x[((b * h + iy) * wd + ix) * ci + i] * w[((o * k + ky) * k + kx) * ci + i];
                            }
                        }
                        y[((b * oh + oy) * ow + ox) * co + o] = s;
                    }
    }

    // dy [N,OH,OW,O], w [O,K,K,I] -> dx [N,H,W,I]
    public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx,
        int n, int h, int wd, int ci, int co, int k, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        int pt = Padding.SameBefore(h, k, stride), pl = Padding.SameBefore(wd, k, stride);
        dx[..(n * h * wd * ci)].Clear();
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int o = 0; o < co; o++)
                    {
                        T g = dy[((b * oh + oy) * ow + ox) * co + o];
                        for (int ky = 0; ky < k; ky++)
                        {
                            int iy = oy * stride - pt + ky;
                            if ((uint)iy >= (uint)h) continue;
                            for (int kx = 0; kx < k; kx++)
                            {
                                int ix = ox * stride - pl + kx;
                                if ((uint)ix >= (uint)wd) continue;
                                for (int i = 0; i < ci; i++)
                                    dx[((b * h + iy) * wd + ix) * ci + i] += g * w[((o * k + ky) * k + kx) * ci + i];
                            }
                        }
                    }
    }

    // dy [N,OH,OW,O], x [N,H,W,I] -> dw [O,K,K,I] (overwritten)
    public static void BackwardWeight<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dw,
        int n, int h, int wd, int ci, int co, int k, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        int pt = Padding.SameBefore(h, k, stride), pl = Padding.SameBefore(wd, k, stride);
        dw[..(co * k * k * ci)].Clear();
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int o = 0; o < co; o++)
                    {
                        T g = dy[((b * oh + oy) * ow + ox) * co + o];
                        for (int ky = 0; ky < k; ky++)
                        {
                            int iy = oy * stride - pt + ky;
                            if ((uint)iy >= (uint)h) continue;
                            for (int kx = 0; kx < k; kx++)
                            {
                                int ix = ox * stride - pl + kx;
                                if ((uint)ix >= (uint)wd) continue;
                                for (int i = 0; i < ci; i++)
                                    dw[((o * k + ky) * k + kx) * ci + i] += g * x[((b * h + iy) * wd + ix) * ci + i];
                            }
                        }
                    }
    }
}
