using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

/// <summary>General KxK convolution for the stem (3x3 stride 2 with 1 or 3 input channels):
/// NHWC input, weights [O,K,K,I], TFLite SAME padding. Lowered to a GEMM over an im2col
/// matrix [N·OH·OW, K·K·I]; the rows are laid out in the weight's (ky,kx,i) order so the
/// GEMM multiplies by W[O, K·K·I] as it is stored.</summary>
public static class Conv2d
{
    /// <summary>Elements of scratch the im2col matrix needs.</summary>
    public static long ScratchSize(int n, int h, int wd, int ci, int k, int stride) =>
        (long)n * Padding.SameOutput(h, stride) * Padding.SameOutput(wd, stride) * k * k * ci;

    // x [N,H,W,I], w [O,K,K,I] -> y [N,OH,OW,O]; cols: scratch the caller keeps for backward.
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, Span<float> cols,
        int n, int h, int wd, int ci, int co, int k, int stride)
    {
        int rows = n * Padding.SameOutput(h, stride) * Padding.SameOutput(wd, stride), kk = k * k * ci;
        Shape.Require("Conv2d scratch", cols.Length, (long)rows * kk);
        Im2Col(x, cols, n, h, wd, ci, k, stride);
        Gemm.MatMulNT(cols, w, y, rows, co, kk);
    }

    // dy [N,OH,OW,O], cols from Forward -> dw [O,K,K,I] (overwritten)
    public static void BackwardWeight(ReadOnlySpan<float> dy, ReadOnlySpan<float> cols, Span<float> dw,
        int n, int h, int wd, int ci, int co, int k, int stride)
    {
        int rows = n * Padding.SameOutput(h, stride) * Padding.SameOutput(wd, stride), kk = k * k * ci;
        Gemm.MatMulTN(dy, cols, dw, co, kk, rows);
    }

    // dy [N,OH,OW,O], w -> dx [N,H,W,I] (overwritten); cols is reused as scratch.
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, Span<float> cols,
        int n, int h, int wd, int ci, int co, int k, int stride)
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride), kk = k * k * ci;
        Gemm.MatMulNN(dy, w, cols, n * oh * ow, kk, co);
        Col2Im(cols, dx, n, h, wd, ci, k, stride);
    }

    private static unsafe void Im2Col(ReadOnlySpan<float> x, Span<float> cols, int n, int h, int wd, int ci, int k, int stride)
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        fixed (float* px = x, pc = cols)
            Workers.For(n * oh, new Im2ColOp { X = px, Cols = pc, H = h, W = wd, Ci = ci, K = k, Stride = stride, Oh = oh, Ow = ow,
                Pt = Padding.SameBefore(h, k, stride), Pl = Padding.SameBefore(wd, k, stride) }, 8);
    }

    /// <summary>im2col rows for output rows [start, end) of all images (row = b·OH + oy).</summary>
    private unsafe struct Im2ColOp : IRangeOp
    {
        public float* X, Cols;
        public int H, W, Ci, K, Stride, Oh, Ow, Pt, Pl;

        public readonly void Run(int start, int end)
        {
            int kk = K * K * Ci, seg = K * Ci;
            for (int r = start; r < end; r++)
            {
                int b = r / Oh, oy = r % Oh;
                for (int ox = 0; ox < Ow; ox++)
                {
                    float* dst = Cols + ((long)r * Ow + ox) * kk;
                    int ix0 = ox * Stride - Pl;
                    if (ix0 >= 0 && ix0 + K <= W)
                    {
                        // All K taps of the row inside the image: each kernel row is K·Ci contiguous floats.
                        for (int ky = 0; ky < K; ky++, dst += seg)
                        {
                            int iy = oy * Stride - Pt + ky;
                            if ((uint)iy < (uint)H) Copy(X + (((long)b * H + iy) * W + ix0) * Ci, dst, seg);
                            else new Span<float>(dst, seg).Clear();
                        }
                        continue;
                    }
                    for (int ky = 0; ky < K; ky++)
                    {
                        int iy = oy * Stride - Pt + ky;
                        for (int kx = 0; kx < K; kx++)
                        {
                            int ix = ox * Stride - Pl + kx;
                            float* d = dst + (ky * K + kx) * Ci;
                            if ((uint)iy < (uint)H && (uint)ix < (uint)W)
                            {
                                float* src = X + (((long)b * H + iy) * W + ix) * Ci;
                                for (int i = 0; i < Ci; i++) d[i] = src[i];
                            }
                            else for (int i = 0; i < Ci; i++) d[i] = 0f;
                        }
                    }
                }
            }
        }

        private static void Copy(float* src, float* dst, int count)
        {
            int i = 0;
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            for (; i < count; i++) dst[i] = src[i];
        }
    }

    private static void Col2Im(ReadOnlySpan<float> cols, Span<float> dx, int n, int h, int wd, int ci, int k, int stride)
    {
        int oh = Padding.SameOutput(h, stride), ow = Padding.SameOutput(wd, stride);
        int pt = Padding.SameBefore(h, k, stride), pl = Padding.SameBefore(wd, k, stride);
        dx[..(n * h * wd * ci)].Clear();
        int row = 0;
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++, row++)
                    for (int ky = 0; ky < k; ky++)
                    {
                        int iy = oy * stride - pt + ky;
                        if ((uint)iy >= (uint)h) continue;
                        for (int kx = 0; kx < k; kx++)
                        {
                            int ix = ox * stride - pl + kx;
                            if ((uint)ix >= (uint)wd) continue;
                            var src = cols.Slice(row * k * k * ci + (ky * k + kx) * ci, ci);
                            var d = dx.Slice(((b * h + iy) * wd + ix) * ci, ci);
                            for (int i = 0; i < ci; i++) d[i] += src[i];
                        }
                    }
    }
}
