using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

/// <summary>Batch norm over NHWC activations seen as x [P,C] (P = N·H·W), optionally fused
/// with ReLU6. PyTorch semantics (biased variance normalises, unbiased feeds the running
/// average). Every pass is one sweep over memory: statistics in one read of x, the output
/// as a per-channel affine map, the gradient as dx = k1·dy' + k2·(x − mean) + k3 per channel.
/// Rows are split across threads; the per-thread partial sums are added in a fixed order.</summary>
public static unsafe class BatchNorm
{
    // Per-thread partial sums: [parts][2][C] in double. Grown, never shrunk; one set per
    // calling thread so independent models on different threads do not share them.
    [ThreadStatic] private static double[]? _partials;
    [ThreadStatic] private static AlignedFloats? _coefficients;

    /// <summary>x [P,C] -> y [P,C]; writes the batch mean and 1/sqrt(var+eps) for backward,
    /// the per-channel affine map y = a·x + b as <paramref name="scaleShift"/> [a(C), b(C)]
    /// (backward recomputes the ReLU6 mask from x with it instead of reading y again), and
    /// updates the running statistics.</summary>
    public static void ForwardTrain(ReadOnlySpan<float> x, Span<float> y, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> mean, Span<float> invStd,
        Span<float> runningMean, Span<float> runningVar, float momentum, float eps, bool relu6, Span<float> scaleShift)
    {
        Shape.Require("BatchNorm scaleShift", scaleShift.Length, 2L * c);
        Check(x.Length, y.IsEmpty ? x.Length : y.Length, p, c);
        int parts = Math.Min(Workers.Threads, Math.Max(1, p / 64));
        var partial = Partials(parts * 2 * c);
        // Shifted one-pass statistics: sums of (x − K) and (x − K)² with K = the first row,
        // which is close to the mean, so the variance does not cancel away when |mean| ≫ σ.
        fixed (float* px = x)
        fixed (double* pp = partial)
        {
            Workers.For(parts, new SumOp { X = px, Y = null, Mean = px, P = p, C = c, Parts = parts, Out = pp, Squares = true });
        }
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0, s2 = 0;
            for (int t = 0; t < parts; t++) { s += partial[(t * 2) * c + ch]; s2 += partial[(t * 2 + 1) * c + ch]; }
            double shifted = s / p;
            double mu = x[ch] + shifted;
            double var = Math.Max(s2 / p - shifted * shifted, 0);
            mean[ch] = (float)mu;
            invStd[ch] = (float)(1.0 / Math.Sqrt(var + eps));
            double unbiased = p > 1 ? var * p / (p - 1) : var;
            runningMean[ch] = (float)((1 - momentum) * runningMean[ch] + momentum * mu);
            runningVar[ch] = (float)((1 - momentum) * runningVar[ch] + momentum * unbiased);
        }
        for (int ch = 0; ch < c; ch++)
        {
            float a = gamma[ch] * invStd[ch];
            scaleShift[ch] = a;
            scaleShift[c + ch] = beta[ch] - mean[ch] * a;
        }
        if (!y.IsEmpty) Affine(x, y, p, c, scaleShift, relu6);
    }

    /// <summary>x [P,C] -> y [P,C] with the running statistics (evaluation mode).</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, Span<float> y, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar,
        float eps, bool relu6) => ForwardInference(x, y, p, c, gamma, beta, runningMean, runningVar, eps, relu6, default);

    /// <summary>As above, also writing the affine map [a(C), b(C)] to <paramref name="scaleShift"/>
    /// when it is not empty; with an empty <paramref name="y"/> only the map is produced (the
    /// layer that reads x applies it, see <see cref="AffineRows"/>).</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, Span<float> y, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar,
        float eps, bool relu6, Span<float> scaleShift)
    {
        Check(x.Length, y.IsEmpty ? x.Length : y.Length, p, c);
        if (!scaleShift.IsEmpty) Shape.Require("BatchNorm scaleShift", scaleShift.Length, 2L * c);
        var coef = scaleShift.IsEmpty ? Coefficients(2 * c) : scaleShift;
        for (int ch = 0; ch < c; ch++)
        {
            float a = (float)(gamma[ch] / Math.Sqrt(runningVar[ch] + (double)eps));
            coef[ch] = a;
            coef[c + ch] = beta[ch] - runningMean[ch] * a;
        }
        if (!y.IsEmpty) Affine(x, y, p, c, coef, relu6);
    }

    /// <summary>dy, x [P,C] -> dx [P,C], dGamma, dBeta [C] (overwritten). With
    /// <paramref name="relu6"/> the incoming gradient is first masked where 0 &lt; y &lt; 6
    /// fails, y = a·x + b recomputed from the forward's <paramref name="scaleShift"/> with the
    /// same fused multiply-add, so the mask is bit-identical. dx may alias dy.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> scaleShift, Span<float> dx, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> dGamma, Span<float> dBeta, bool relu6)
    {
        Shape.Require("BatchNorm.Backward dx", dx.Length, (long)p * c);
        var coef = Coefficients(3 * c);
        BackwardCoefficients(dy, x, scaleShift, p, c, gamma, mean, invStd, dGamma, dBeta, relu6, coef);
        fixed (float* px = x, pdy = dy, pss = scaleShift, pdx = dx, pc = coef, pm = mean)
        {
            Workers.For(p, new GradOp { X = px, Dy = pdy, Mask = relu6 ? pss : null, Dx = pdx, C = c, Coef = pc, Mean = pm }, 256);
        }
    }

    /// <summary>The first half of <see cref="Backward"/>: one pass over dy, x (and y) for
    /// dGamma, dBeta and the per-channel coefficients of dx = k1·dy' + k2·(x − mean) + k3,
    /// written to <paramref name="coef"/> [3C]. The second half, <see cref="ApplyGradientRows"/>,
    /// can then run block by block inside a fused kernel.</summary>
    public static void BackwardCoefficients(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> scaleShift, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> dGamma, Span<float> dBeta, bool relu6,
        Span<float> coef)
    {
        Check(x.Length, dy.Length, p, c);
        if (relu6) Shape.Require("BatchNorm.Backward scaleShift", scaleShift.Length, 2L * c);
        Shape.Require("BatchNorm.Backward coefficients", coef.Length, 3L * c);
        int parts = Math.Min(Workers.Threads, Math.Max(1, p / 64));
        var partial = Partials(parts * 2 * c);
        fixed (float* px = x, pdy = dy, pss = scaleShift, pm = mean)
        fixed (double* pp = partial)
        {
            // Σ dy' and Σ dy'·(x − mean) per channel (centred: no cancellation when |mean| ≫ σ).
            Workers.For(parts, new SumOp { X = px, Y = pdy, Mask = relu6 ? pss : null, Mean = pm, P = p, C = c, Parts = parts, Out = pp, Squares = false });
        }
        CoefficientsFromSums(partial.AsSpan(0, parts * 2 * c), parts, p, c, gamma, invStd, dGamma, dBeta, coef);
    }

    /// <summary>The end of <see cref="BackwardCoefficients"/>: dGamma, dBeta and the coefficients
    /// [3C] from partial sums [slots][Σ dy' (C), Σ dy'·(x − mean) (C)], added in slot order. The
    /// sums may come from the kernel that wrote dy (see <see cref="BatchNormGradSums"/>).</summary>
    public static void CoefficientsFromSums(ReadOnlySpan<double> partial, int slots, int p, int c,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> invStd, Span<float> dGamma, Span<float> dBeta, Span<float> coef)
    {
        Shape.Require("BatchNorm gradient sums", partial.Length, (long)slots * 2 * c);
        Shape.Require("BatchNorm.Backward coefficients", coef.Length, 3L * c);
        for (int ch = 0; ch < c; ch++)
        {
            double sb = 0, sxc = 0;
            for (int t = 0; t < slots; t++) { sb += partial[(t * 2) * c + ch]; sxc += partial[(t * 2 + 1) * c + ch]; }
            double s = invStd[ch];
            double sg = s * sxc; // Σ dy'·x̂
            dBeta[ch] = (float)sb;
            dGamma[ch] = (float)sg;
            double g = gamma[ch];
            // dx = γ·s/P · (P·dy' − Σdy' − x̂·Σdy'x̂) = k1·dy' + k2·(x − mean) + k3
            coef[ch] = (float)(g * s);
            coef[c + ch] = (float)(-g * s * s * sg / p);
            coef[2 * c + ch] = (float)(-g * s * sb / p);
        }
    }

    /// <summary>The second half of <see cref="Backward"/> for rows [r0, r1) on the calling
    /// thread only: dx rows (written from <paramref name="dx"/>[0]) from dy, x, y rows.</summary>
    internal static void ApplyGradientRows(float* dy, float* x, float* scaleShift, float* mean, float* coef, float* dx, int r0, int r1, int c, bool relu6)
    {
        long off = (long)r0 * c;
        new GradOp { X = x + off, Dy = dy + off, Mask = relu6 ? scaleShift : null, Dx = dx, C = c, Coef = coef, Mean = mean }.Run(0, r1 - r0);
    }

    private static void Affine(ReadOnlySpan<float> x, Span<float> y, int p, int c, ReadOnlySpan<float> coef, bool relu6)
    {
        fixed (float* px = x, py = y, pc = coef)
        {
            Workers.For(p, new AffineOp { X = px, Y = py, C = c, XStride = c, YStride = c, Scale = pc, Shift = pc + c, Relu6 = relu6 }, 256);
        }
    }

    /// <summary>y [P,C] = the map [a(C), b(C)] applied to x [P,C] (clamped to [0, 6] with <paramref name="relu6"/>):
    /// writes a deferred batch-norm output after all.</summary>
    public static void ApplyMap(ReadOnlySpan<float> x, Span<float> y, int p, int c, ReadOnlySpan<float> scaleShift, bool relu6)
    {
        Check(x.Length, y.Length, p, c);
        Shape.Require("BatchNorm scaleShift", scaleShift.Length, 2L * c);
        fixed (float* px = x, py = y, pm = scaleShift)
        {
            Workers.For(p, new AffineOp { X = px, Y = py, C = c, XStride = c, YStride = c, Scale = pm, Shift = pm + c, Relu6 = relu6 }, 256);
        }
    }

    /// <summary>The forward's output map applied by the layer that reads it, on the calling thread:
    /// y[r, j] = a[j]·x[r, j] + b[j] (then clamped to [0, 6] with <paramref name="relu6"/>) for
    /// <paramref name="rows"/> rows of <paramref name="c"/> channels, rows <paramref name="xStride"/>
    /// and <paramref name="yStride"/> floats apart. The same fused multiply-add as the forward's own
    /// pass, so a deferred output reads bit-identical to a written one.</summary>
    internal static void AffineRows(float* x, nint xStride, float* y, nint yStride, int rows, int c, float* scale, float* shift, bool relu6) =>
        new AffineOp { X = x, Y = y, C = c, XStride = xStride, YStride = yStride, Scale = scale, Shift = shift, Relu6 = relu6 }.Run(0, rows);

    private static void Check(int xLen, int yLen, int p, int c)
    {
        Shape.Require("BatchNorm x", xLen, (long)p * c);
        Shape.Require("BatchNorm y", yLen, (long)p * c);
    }

    private static double[] Partials(int n)
    {
        if (_partials == null || _partials.Length < n) _partials = new double[n];
        return _partials;
    }

    private static Span<float> Coefficients(int n)
    {
        if (_coefficients == null || _coefficients.Length < n) _coefficients = new AlignedFloats(n);
        return _coefficients.Span[..n];
    }

    // Rows are summed in float blocks of 64, then folded into double per channel, so the
    // float error stays that of 64 terms whatever P is. (Blocks of 256 measured faster, 35 vs
    // 26 GB/s for the backward sums at C = 96, but the one-step PyTorch comparison then misses
    // its 1e-4 bound on a bias gradient that sums to nearly zero.)
    internal const int Block = 64;

    private struct SumOp : IRangeOp
    {
        public float* X, Y, Mask, Mean;
        public double* Out;
        public int P, C, Parts;
        public bool Squares;

        public void Run(int start, int end)
        {
            float* acc = stackalloc float[2 * C];
            for (int part = start; part < end; part++)
            {
                int r0 = (int)((long)P * part / Parts), r1 = (int)((long)P * (part + 1) / Parts);
                double* o1 = Out + (part * 2) * C, o2 = Out + (part * 2 + 1) * C;
                new Span<double>(o1, 2 * C).Clear();
                if (!Squares)
                {
                    // The same blocks and slots a kernel that writes dy gathers with.
                    new BatchNormGradSums(X, Mask, Mean, Out, C).Add(Y + (long)r0 * C, r0, r1 - r0, part);
                    continue;
                }
                for (int b = r0; b < r1; b += Block)
                {
                    int rows = Math.Min(r1, b + Block) - b;
                    BatchNormSums.Squares(X + (long)b * C, rows, C, Mean, acc, acc + C);
                    for (int ch = 0; ch < C; ch++) { o1[ch] += acc[ch]; o2[ch] += acc[C + ch]; }
                }
            }
        }
    }

    private static bool InRelu6(float y) => y > 0f && y < 6f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MaskGrad(Vector512<float> g, Vector512<float> y) =>
        g & (Vector512.GreaterThan(y, Vector512<float>.Zero) & Vector512.LessThan(y, Vector512.Create(6f)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MaskGrad(Vector256<float> g, Vector256<float> y) =>
        g & (Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256.Create(6f)));

    private struct AffineOp : IRangeOp
    {
        public float* X, Y, Scale, Shift;
        public nint XStride, YStride;
        public int C;
        public bool Relu6;

        public void Run(int start, int end)
        {
            int c = C;
            float* a = Scale, b = Shift;
            for (int r = start; r < end; r++)
            {
                float* x = X + r * XStride, y = Y + r * YStride;
                int ch = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; ch + 16 <= c; ch += 16)
                    {
                        var v = Vector512.FusedMultiplyAdd(Vector512.Load(x + ch), Vector512.Load(a + ch), Vector512.Load(b + ch));
                        if (Relu6) v = Vector512.Min(Vector512.Max(v, Vector512<float>.Zero), Vector512.Create(6f));
                        Vector512.Store(v, y + ch);
                    }
                for (; ch + 8 <= c; ch += 8)
                {
                    var v = Vector256.FusedMultiplyAdd(Vector256.Load(x + ch), Vector256.Load(a + ch), Vector256.Load(b + ch));
                    if (Relu6) v = Vector256.Min(Vector256.Max(v, Vector256<float>.Zero), Vector256.Create(6f));
                    Vector256.Store(v, y + ch);
                }
                for (; ch < c; ch++)
                {
                    float v = MathF.FusedMultiplyAdd(x[ch], a[ch], b[ch]);
                    y[ch] = Relu6 ? Math.Min(Math.Max(v, 0f), 6f) : v;
                }
            }
        }
    }

    private struct GradOp : IRangeOp
    {
        public float* X, Dy, Dx, Coef, Mean;
        /// <summary>The forward's [a(C), b(C)] when the output went through ReLU6, else null.</summary>
        public float* Mask;
        public int C;

        public void Run(int start, int end)
        {
            int c = C;
            float* k1 = Coef, k2 = Coef + c, k3 = Coef + 2 * c, mu = Mean;
            for (int r = start; r < end; r++)
            {
                long o = (long)r * c;
                float* x = X + o, dy = Dy + o, dx = Dx + o, sa = Mask, sb = Mask == null ? null : Mask + c;
                int ch = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; ch + 16 <= c; ch += 16)
                    {
                        var g = Vector512.Load(dy + ch);
                        var xv = Vector512.Load(x + ch);
                        if (sa != null) g = MaskGrad(g, Vector512.FusedMultiplyAdd(xv, Vector512.Load(sa + ch), Vector512.Load(sb + ch)));
                        var v = Vector512.FusedMultiplyAdd(g, Vector512.Load(k1 + ch),
                            Vector512.FusedMultiplyAdd(xv - Vector512.Load(mu + ch), Vector512.Load(k2 + ch), Vector512.Load(k3 + ch)));
                        Vector512.Store(v, dx + ch);
                    }
                for (; ch + 8 <= c; ch += 8)
                {
                    var g = Vector256.Load(dy + ch);
                    var xv = Vector256.Load(x + ch);
                    if (sa != null) g = MaskGrad(g, Vector256.FusedMultiplyAdd(xv, Vector256.Load(sa + ch), Vector256.Load(sb + ch)));
                    var v = Vector256.FusedMultiplyAdd(g, Vector256.Load(k1 + ch),
                        Vector256.FusedMultiplyAdd(xv - Vector256.Load(mu + ch), Vector256.Load(k2 + ch), Vector256.Load(k3 + ch)));
                    Vector256.Store(v, dx + ch);
                }
                for (; ch < c; ch++)
                {
                    float g = dy[ch];
                    if (sa != null && !InRelu6(MathF.FusedMultiplyAdd(x[ch], sa[ch], sb[ch]))) g = 0f;
                    dx[ch] = MathF.FusedMultiplyAdd(g, k1[ch], MathF.FusedMultiplyAdd(x[ch] - mu[ch], k2[ch], k3[ch]));
                }
            }
        }
    }
}
