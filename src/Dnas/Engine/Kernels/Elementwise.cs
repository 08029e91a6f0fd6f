using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

/// <summary>Residual add and global average pooling, NHWC.</summary>
public static unsafe class Elementwise
{
    /// <summary>y = a + b (y may alias a or b).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        if (a.Length != b.Length || y.Length < a.Length)
            throw new ShapeMismatchException($"Add: operand lengths {a.Length} and {b.Length}, output {y.Length}");
        fixed (float* pa = a, pb = b, py = y)
            Workers.For(a.Length, new AddOp { A = pa, B = pb, Y = py }, 1 << 14);
    }

    // x [N,HW,C] -> y [N,C]
    public static void GlobalAvgPoolForward(ReadOnlySpan<float> x, Span<float> y, int n, int hw, int c)
    {
        Shape.Require("GlobalAvgPool x", x.Length, (long)n * hw * c);
        Shape.Require("GlobalAvgPool y", y.Length, (long)n * c);
        float inv = 1f / hw;
        for (int b = 0; b < n; b++)
        {
            var yb = y.Slice(b * c, c);
            yb.Clear();
            for (int i = 0; i < hw; i++) AddInto(x.Slice((b * hw + i) * c, c), yb);
            for (int ch = 0; ch < c; ch++) yb[ch] *= inv;
        }
    }

    // dy [N,C] -> dx [N,HW,C]
    public static void GlobalAvgPoolBackward(ReadOnlySpan<float> dy, Span<float> dx, int n, int hw, int c)
    {
        Shape.Require("GlobalAvgPool dy", dy.Length, (long)n * c);
        Shape.Require("GlobalAvgPool dx", dx.Length, (long)n * hw * c);
        float inv = 1f / hw;
        for (int b = 0; b < n; b++)
        {
            var g = dx.Slice(b * hw * c, c);
            for (int ch = 0; ch < c; ch++) g[ch] = dy[b * c + ch] * inv;
            for (int i = 1; i < hw; i++) g.CopyTo(dx.Slice((b * hw + i) * c, c));
        }
    }

    private static void AddInto(ReadOnlySpan<float> x, Span<float> acc)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= x.Length; i += 16)
                (Vector512.Create(acc.Slice(i, 16)) + Vector512.Create(x.Slice(i, 16))).CopyTo(acc.Slice(i, 16));
        for (; i < x.Length; i++) acc[i] += x[i];
    }

    private struct AddOp : IRangeOp
    {
        public float* A, B, Y;
        public void Run(int start, int end)
        {
            int i = start;
            if (Vector512.IsHardwareAccelerated)
                for (; i + 16 <= end; i += 16) Vector512.Store(Vector512.Load(A + i) + Vector512.Load(B + i), Y + i);
            for (; i + 8 <= end; i += 8) Vector256.Store(Vector256.Load(A + i) + Vector256.Load(B + i), Y + i);
            for (; i < end; i++) Y[i] = A[i] + B[i];
        }
    }
}
