namespace Dnas.Engine.Kernels;

/// <summary>The backward pass of 1x1 conv + batch norm (+ReLU6) fused over row blocks.
/// Unfused, the gradient of the conv output dZ [P,O] is written once and read twice (for
/// dW and for dX): for an expansion layer that is three sweeps over the layer's largest
/// tensor. Here each thread takes a contiguous range of pixels and, block by block, forms
/// the dZ rows in a cache-sized buffer, adds dZᵀ·X into its own partial dW, and writes
/// dX = dZ·W for those rows. Partial dW are summed in part order: deterministic for a given
/// thread count.</summary>
public static unsafe class PointwiseBackward
{
    // dZ block budget per thread (256 KB, half of a 512 KB L2): large blocks amortise the
    // small GEMM calls; rows are capped at 512 below.
    private const int BlockFloats = 64 * 1024;

    /// <summary>True when the fused path pays off: dZ is larger than the caches and has many rows.
    /// Measured: fused is faster from 18,432 pixels x 48 channels and 32,768 x 144 up; with
    /// few pixels and many channels (2,048 x 576, 512 x 960) the blocked GEMM calls cost more
    /// than the traffic they save.</summary>
    public static bool Worthwhile(int p, int outChannels) => p >= 8192 && (long)p * outChannels * sizeof(float) >= (2L << 20);

    /// <summary>dy, z [P,O], the forward's BN scale/shift [2·O] (for the ReLU6 mask) with the BN coefficients from <see cref="BatchNorm.BackwardCoefficients"/>;
    /// x [P,I], w [O,I] -> dW [O,I] accumulated (+=), dX [P,I] written when not empty.</summary>
    /// <param name="xMap">Empty, or the batch-norm map [a(I), b(I)] x is read through (x is then the
    /// producer's pre-norm output; see <see cref="Gemm.MatMulNT(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, ReadOnlySpan{float}, bool)"/>).
    /// Each block of x is mapped into the thread's scratch before dW reads it.</param>
    public static void Run(ReadOnlySpan<float> dy, ReadOnlySpan<float> z, ReadOnlySpan<float> scaleShift, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> coef, bool relu6, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dW, Span<float> dx,
        int p, int outChannels, int inChannels, ReadOnlySpan<float> xMap = default, bool xRelu6 = false,
        BatchNormGradSumsRequest dxSums = default)
    {
        int o = outChannels, i = inChannels;
        Shape.Require("PointwiseBackward dy", dy.Length, (long)p * o);
        Shape.Require("PointwiseBackward z", z.Length, (long)p * o);
        Shape.Require("PointwiseBackward x", x.Length, (long)p * i);
        Shape.Require("PointwiseBackward w", w.Length, (long)o * i);
        Shape.Require("PointwiseBackward dW", dW.Length, (long)o * i);
        if (!dx.IsEmpty) Shape.Require("PointwiseBackward dx", dx.Length, (long)p * i);
        if (!xMap.IsEmpty) Shape.Require("PointwiseBackward x map", xMap.Length, 2L * i);
        if (!dxSums.IsEmpty && dx.IsEmpty) throw new ArgumentException("PointwiseBackward: gradient sums need dX");
        dxSums.Check("PointwiseBackward dX", (long)p * i);
        int rows = Math.Clamp(BlockFloats / o, 8, 512);
        int parts = Math.Min(Workers.Threads, Math.Max(1, p / rows));
        // Per part: the dZ block, the partial dW, the mapped x block; each starts on a 64-byte boundary.
        long perPart = Align16((long)rows * o) + Align16((long)o * i) + (xMap.IsEmpty ? 0 : Align16((long)rows * i));
        float* ps = ThreadScratch.Get(ThreadScratch.Slot.PointwiseBlocks, parts * perPart);
        fixed (float* pdy = dy, pz = z, py = scaleShift, pm = mean, pc = coef, px = x, pw = w, pdw = dW, pdx = dx, pxm = xMap)
        fixed (float* sz = dxSums.Z, sMask = dxSums.Mask, sMean = dxSums.Mean)
        fixed (double* sp = dxSums.Partials)
        {
            Workers.For(parts, new Op
            {
                Dy = pdy, Z = pz, Y = py, Mean = pm, Coef = pc, Relu6 = relu6, X = px, W = pw, Dx = dx.IsEmpty ? null : pdx,
                Scratch = ps, PerPart = perPart, Parts = parts, P = p, O = o, I = i, Rows = rows,
                XMap = xMap.IsEmpty ? null : pxm, XRelu6 = xRelu6,
                DxSums = new BatchNormGradSums(sz, dxSums.Mask.IsEmpty ? null : sMask, sMean, sp, dxSums.C),
            });
            // Fixed-order reduction of the per-part weight gradients.
            for (int part = 0; part < parts; part++)
            {
                float* g = ps + part * perPart + Align16((long)rows * o);
                for (int j = 0; j < o * i; j++) pdw[j] += g[j];
            }
        }
    }

    private struct Op : IRangeOp
    {
        public float* Dy, Z, Y, Mean, Coef, X, W, Dx, Scratch, XMap;
        public long PerPart;
        public int Parts, P, O, I, Rows;
        public bool Relu6, XRelu6;
        public BatchNormGradSums DxSums;

        public void Run(int start, int end)
        {
            for (int part = start; part < end; part++)
            {
                int r0 = (int)((long)P * part / Parts), r1 = (int)((long)P * (part + 1) / Parts);
                float* dz = Scratch + part * PerPart;
                float* dw = dz + Align16((long)Rows * O);
                float* xs = XMap == null ? null : dw + Align16((long)O * I);
                new Span<float>(dw, O * I).Clear();
                for (int b = r0; b < r1; b += Rows)
                {
                    int n = Math.Min(Rows, r1 - b);
                    BatchNorm.ApplyGradientRows(Dy, Z, Y, Mean, Coef, dz, b, b + n, O, Relu6);
                    var dzRows = new ReadOnlySpan<float>(dz, n * O);
                    float* xb = X + (long)b * I;
                    if (xs != null)
                    {
                        BatchNorm.AffineRows(xb, I, xs, I, n, I, XMap, XMap + I, XRelu6);
                        xb = xs;
                    }
                    // dW[O,I] += dZᵀ[O,n] · X[n,I]   (nested: runs on this thread)
                    Gemm.MatMulTN(dzRows, new ReadOnlySpan<float>(xb, n * I), new Span<float>(dw, O * I), O, I, n, accumulate: true);
                    // dX[n,I] = dZ[n,O] · W[O,I]
                    if (Dx != null)
                    {
                        Gemm.MatMulNN(dzRows, new ReadOnlySpan<float>(W, O * I), new Span<float>(Dx + (long)b * I, n * I), n, I, O);
                        // The previous layer's batch-norm sums while these dX rows are in cache.
                        if (!DxSums.IsEmpty) DxSums.Add(Dx + (long)b * I, b, n, part);
                    }
                }
            }
        }
    }

    private static long Align16(long floats) => (floats + 15) & ~15L;
}
