using System.Runtime.CompilerServices;

namespace Dnas.Engine.Kernels;

/// <summary>
/// C[M,N] (+)= A[K,M]ᵀ · B[K,N], the weight gradient dW = dYᵀ · X: M, N are channel counts
/// (small) and K is the pixel count (huge). The same micro-kernels as the other products run
/// with A read "transposed" (A(r, p) = A[p, i0+r], row stride 1, step stride M) and keep a C
/// tile in registers for a whole block of <see cref="Kc"/> steps. Per block, B's rows are
/// packed into aligned, zero-padded panels (so no kernel reads past column N, and no raw row
/// stride can alias in cache); A is used in place when narrow, else copied in
/// <see cref="Mc"/>-column blocks.
///
/// Threads split K: chunk t of <c>chunks</c> (a fixed cut depending only on K and the thread
/// count) sums into its own partial C, and partials are then added into C in chunk order, so
/// results are bit-identical run to run for a given thread count.
/// </summary>
internal static unsafe class GemmTN
{
    private const long MinFlopsPerChunk = 1 << 18;

    /// <summary>Rows of A and B (steps of the reduction) per block: C tiles are loaded and
    /// stored once per block, so this keeps that traffic to about 1% of the FMAs.</summary>
    private const int Kc = 256;

    /// <summary>Columns of A (rows of C) per sweep: a Kc × Mc block of A is 240 KB, reused from
    /// L2 by every panel of B. Wider A is copied into such blocks first, since its raw rows
    /// (stride M, e.g. 4 KB for M = 1024) would map to only a few L1/L2 sets.</summary>
    private const int Mc = 10 * GemmMicroKernels.RowAlign;

    /// <param name="bMap">Null, or [scale(N), shift(N)]: B is read as clamp?(scale·B + shift) per column
    /// (a deferred batch-norm output); each block of B is mapped into scratch before it is packed.</param>
    public static void Run<TS, TV>(float* a, float* b, float* c, int m, int n, int k, bool accumulate, float* bMap = null, bool bRelu6 = false)
        where TS : struct, ISimd<TV> where TV : struct
    {
        long flops = 2L * m * n * k;
        int chunks = (int)Math.Min(Math.Min(Workers.Threads, Math.Max(1, flops / MinFlopsPerChunk)), Math.Max(1, k / 16));
        long mn = (long)m * n;
        // Chunk 0 sums straight into C; the others need their own partial C.
        float* partials = chunks > 1 ? ThreadScratch.Get(ThreadScratch.Slot.Partials, (chunks - 1) * mn) : null;

        var op = new ChunkOp<TS, TV>
        {
            A = a, B = b, C = c, Partials = partials, M = m, N = n, K = k, Chunks = chunks, Accumulate = accumulate,
            Plan = new PanelPlan(n, TS.Width), BMap = bMap, BRelu6 = bRelu6,
        };
        Workers.For(chunks, op);

        if (chunks > 1)
        {
            var sum = new SumOp<TS, TV> { C = c, Partials = partials, Count = chunks - 1, N = n, Stride = mn };
            Workers.For(m, sum, Math.Max(1, 16384 / n));
        }
    }

    private struct ChunkOp<TS, TV> : IRangeOp where TS : struct, ISimd<TV> where TV : struct
    {
        public float* A, B, C, Partials, BMap;
        public int M, N, K, Chunks;
        public bool Accumulate, BRelu6;
        public PanelPlan Plan;

        public readonly void Run(int start, int end)
        {
            for (int t = start; t < end; t++)
            {
                int p0 = (int)((long)K * t / Chunks), p1 = (int)((long)K * (t + 1) / Chunks);
                float* target = t == 0 ? C : Partials + (t - 1) * (long)M * N;
                Sum(p0, p1, target, t == 0 && Accumulate);
            }
        }

        /// <summary>target (+)= Σ_{p0 ≤ p &lt; p1} A[p,:]ᵀ ⊗ B[p,:].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Sum(int p0, int p1, float* target, bool accumulate)
        {
            if (p1 == p0)
            {
                if (!accumulate) new Span<float>(target, M * N).Clear();
                return;
            }
            int w = TS.Width;
            bool packA = M > Mc;
            // Runs on whichever thread owns the chunk: its own packing buffers.
            float* packedB = ThreadScratch.Get(ThreadScratch.Slot.PackedB, (long)Kc * Plan.PaddedN);
            float* packedA = packA ? ThreadScratch.Get(ThreadScratch.Slot.PackedA, (long)Kc * Mc) : null;
            float* mappedB = BMap == null ? null : ThreadScratch.Get(ThreadScratch.Slot.MappedB, (long)Kc * N);
            for (int pb = p0; pb < p1; pb += Kc)
            {
                int pc = Math.Min(Kc, p1 - pb);
                bool acc = accumulate || pb > p0;
                float* bb = B + (nint)pb * N;
                if (mappedB != null)
                {
                    BatchNorm.AffineRows(bb, N, mappedB, N, pc, N, BMap, BMap + N, BRelu6);
                    bb = mappedB;
                }
                new GemmPacking.PackOp<TS, TV> { B = bb, Dst = packedB, N = N, K = pc, Plan = Plan }.Run(0, Plan.Count);
                for (int ic = 0; ic < M; ic += Mc)
                {
                    int mc = Math.Min(Mc, M - ic);
                    float* ab = A + (nint)pb * M + ic;
                    nint lda = M;
                    if (packA)
                    {
                        for (int p = 0; p < pc; p++)
                            new ReadOnlySpan<float>(ab + (nint)p * M, mc).CopyTo(new Span<float>(packedA + (nint)p * Mc, mc));
                        ab = packedA;
                        lda = Mc;
                    }
                    for (int q = 0; q < Plan.Count; q++)
                    {
                        int nv = Plan.Vectors(q), j0 = Plan.Start(q), mr = GemmMicroKernels.RowsFor(nv);
                        float* bp = packedB + (nint)pc * j0;
                        for (int i = 0; i < mc; i += mr)
                            GemmMicroKernels.Tile<TS, TV>(nv, ab + i, 1, lda, Math.Min(mr, mc - i), bp, nv * w, pc,
                                target + (nint)(ic + i) * N + j0, N, N - j0, acc);
                    }
                }
            }
        }
    }

    /// <summary>C[rows] += partial_1[rows] + … + partial_count[rows], always in that order.</summary>
    private struct SumOp<TS, TV> : IRangeOp where TS : struct, ISimd<TV> where TV : struct
    {
        public float* C, Partials;
        public int Count, N;
        public long Stride;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int start, int end)
        {
            int w = TS.Width;
            nint from = (nint)start * N, to = (nint)end * N, j = from;
            for (; j + w <= to; j += w)
            {
                TV s = TS.Load(C + j);
                for (int t = 0; t < Count; t++) s = TS.Add(s, TS.Load(Partials + t * Stride + j));
                TS.Store(C + j, s);
            }
            for (; j < to; j++)
            {
                float s = C[j];
                for (int t = 0; t < Count; t++) s += Partials[t * Stride + j];
                C[j] = s;
            }
        }
    }
}
