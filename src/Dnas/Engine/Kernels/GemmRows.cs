using System.Runtime.CompilerServices;

namespace Dnas.Engine.Kernels;

/// <summary>
/// C[M,N] (+)= A[M,K] · B, for the NT and NN products. They differ only in how B is packed;
/// after packing both are "A row-major, B as [K, padded N] panels".
///
/// The hot shapes are tall and skinny (M = pixels, tens of thousands; N, K = channels), so
/// threads split M into contiguous row ranges and every thread sees all of B. Blocking:
/// K in chunks of at most <see cref="MaxKc"/> so a panel's slice of B (kc × ≤48 floats) stays
/// in L1 while it sweeps <see cref="Mc"/> rows of A, whose kc-wide block stays in L2 across
/// all panels. For the usual K ≤ 384 there is a single K chunk and C is written exactly once.
/// </summary>
internal static unsafe class GemmRows
{
    private const int MaxKc = 384;
    private const int Mc = 3 * GemmMicroKernels.RowAlign; // 72 rows: a multiple of every MR
    private const long MinFlopsPerThread = 1 << 18;

    /// <param name="aMap">Null, or [scale(K), shift(K)]: A is read as clamp?(scale·A + shift) per
    /// column (a batch norm output the producing layer left unwritten, see
    /// <see cref="BatchNorm.AffineRows"/>); each block of A is mapped into L2 once before its panels.</param>
    public static void Run<TS, TV>(float* a, float* b, float* c, int m, int n, int k, bool accumulate, bool transposedB,
        float* aMap = null, bool aRelu6 = false)
        where TS : struct, ISimd<TV> where TV : struct
    {
        var plan = new PanelPlan(n, TS.Width);
        float* packed = ThreadScratch.Get(ThreadScratch.Slot.PackedB, (long)k * plan.PaddedN);
        GemmPacking.Pack<TS, TV>(b, packed, n, k, transposedB, plan);

        var op = new RowsOp<TS, TV> { A = a, Bp = packed, C = c, M = m, N = n, K = k, Accumulate = accumulate, Plan = plan, AMap = aMap, ARelu6 = aRelu6 };
        int units = (m + GemmMicroKernels.RowAlign - 1) / GemmMicroKernels.RowAlign;
        long flopsPerUnit = 2L * GemmMicroKernels.RowAlign * n * k;
        Workers.For(units, op, (int)Math.Clamp(MinFlopsPerThread / Math.Max(1, flopsPerUnit), 1, int.MaxValue));
    }

    /// <summary>Rows [start·24, end·24) of C. Thread boundaries fall on multiples of 24 rows, so
    /// only the last rows of the matrix can need a partial (row-tail) tile.</summary>
    private struct RowsOp<TS, TV> : IRangeOp where TS : struct, ISimd<TV> where TV : struct
    {
        public float* A, Bp, C, AMap;
        public int M, N, K;
        public bool Accumulate, ARelu6;
        public PanelPlan Plan;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int start, int end)
        {
            int r0 = start * GemmMicroKernels.RowAlign, r1 = Math.Min(M, end * GemmMicroKernels.RowAlign);
            int w = TS.Width;
            int chunks = (K + MaxKc - 1) / MaxKc;
            int kcMax = (K + chunks - 1) / chunks; // even split: no tiny last chunk
            float* mapped = AMap == null ? null : ThreadScratch.Get(ThreadScratch.Slot.MappedA, (long)Mc * kcMax);
            for (int k0 = 0; k0 < K; k0 += kcMax)
            {
                int kc = Math.Min(kcMax, K - k0);
                bool acc = Accumulate || k0 > 0;
                for (int i0 = r0; i0 < r1; i0 += Mc)
                {
                    int i1 = Math.Min(r1, i0 + Mc);
                    // The block of A the panels read: in place, or mapped into scratch (row stride kc).
                    float* ab = A + (nint)i0 * K + k0;
                    nint lda = K;
                    if (mapped != null)
                    {
                        BatchNorm.AffineRows(ab, K, mapped, kc, i1 - i0, kc, AMap + k0, AMap + K + k0, ARelu6);
                        ab = mapped;
                        lda = kc;
                    }
                    for (int p = 0; p < Plan.Count; p++)
                    {
                        int nv = Plan.Vectors(p), pw = nv * w, j0 = Plan.Start(p), mr = GemmMicroKernels.RowsFor(nv);
                        float* bk = Bp + (nint)K * j0 + (nint)k0 * pw;
                        for (int i = i0; i < i1; i += mr)
                            GemmMicroKernels.Tile<TS, TV>(nv, ab + (i - i0) * lda, lda, 1, Math.Min(mr, i1 - i),
                                bk, pw, kc, C + (nint)i * N + j0, N, N - j0, acc);
                    }
                }
            }
        }
    }
}
