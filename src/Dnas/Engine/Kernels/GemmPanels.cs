using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dnas.Engine.Kernels;

/// <summary>How the N columns of C are cut into micro-kernel panels of 1..3 vectors: as many
/// 3-vector panels as possible, and the remainder as 2-vector panels (3+1 becomes 2+2 so no
/// narrow, inefficient kernel is needed unless N fits in one vector).</summary>
internal readonly struct PanelPlan
{
    public readonly int Width, N3, N2, N1;

    public PanelPlan(int n, int width)
    {
        Width = width;
        int vectors = (n + width - 1) / width;
        (N3, N2, N1) = (vectors % 3) switch
        {
            0 => (vectors / 3, 0, 0),
            2 => (vectors / 3, 1, 0),
            _ when vectors == 1 => (0, 0, 1),
            _ => (vectors / 3 - 1, 2, 0),
        };
    }

    public int Count => N3 + N2 + N1;

    /// <summary>Columns including the zero padding up to whole vectors.</summary>
    public int PaddedN => Width * (3 * N3 + 2 * N2 + N1);

    /// <summary>Vectors in panel <paramref name="p"/>.</summary>
    public int Vectors(int p) => p < N3 ? 3 : p < N3 + N2 ? 2 : 1;

    /// <summary>First column of panel <paramref name="p"/>.</summary>
    public int Start(int p)
    {
        int three = Math.Min(p, N3), two = Math.Clamp(p - N3, 0, N2), one = Math.Max(0, p - N3 - N2);
        return Width * (3 * three + 2 * two + one);
    }
}

/// <summary>Packs B into panel-major layout for the micro-kernels: panel p (columns
/// [j0, j0+pw)) occupies K rows of pw floats starting at K·j0, zero-padded past N, so the
/// kernels read one contiguous, vector-aligned stream per panel with no column tails.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs panels [start, end) of B; B is [N,K] when <see cref="Transposed"/>
    /// (the NT case), else [K,N].</summary>
    public struct PackOp<TS, TV> : IRangeOp where TS : struct, ISimd<TV> where TV : struct
    {
        public float* B, Dst;
        public int N, K;
        public bool Transposed;
        public PanelPlan Plan;

        public readonly void Run(int start, int end)
        {
            for (int p = start; p < end; p++)
            {
                int j0 = Plan.Start(p), nv = Plan.Vectors(p), valid = Math.Min(nv * Plan.Width, N - j0);
                float* dst = Dst + (nint)K * j0;
                if (Transposed) PanelFromRows(B + (nint)j0 * K, dst, K, nv * Plan.Width, valid);
                else PanelFromColumns(B + j0, N, dst, K, nv, valid);
            }
        }

        // B[N,K]: column jj of the panel is row j0+jj of B, contiguous over k. With AVX, 8×8
        // blocks are transposed in registers (a scalar transpose costs as much as a sizeable
        // fraction of the product for the small-M layers); the edges go element by element.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PanelFromRows(float* src, float* dst, int k, int pw, int valid)
        {
            int jBlocked = 0, pBlocked = 0;
            if (Avx.IsSupported && pw % 8 == 0)
            {
                jBlocked = valid & ~7;
                pBlocked = k & ~7;
                for (int jj = 0; jj < jBlocked; jj += 8)
                    for (int p = 0; p < pBlocked; p += 8)
                        Transpose8x8(src + (nint)jj * k + p, k, dst + (nint)p * pw + jj, pw);
            }
            for (int jj = 0; jj < valid; jj++)
            {
                float* s = src + (nint)jj * k;
                for (int p = jj < jBlocked ? pBlocked : 0; p < k; p++) dst[(nint)p * pw + jj] = s[p];
            }
            for (int jj = valid; jj < pw; jj++)
                for (int p = 0; p < k; p++) dst[(nint)p * pw + jj] = 0f;
        }

        /// <summary>dst[q·dstStride + i] = src[i·srcStride + q] for i, q in 0..8.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
        {
            Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride);
            Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride);
            Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride);
            Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride), r7 = Avx.LoadVector256(src + 7 * srcStride);
            // Interleave pairs of rows: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], …
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            // Columns of four rows: s0 = r0..r3[0] | r0..r3[4], s1 = [1] | [5], s2 = [2] | [6], s3 = [3] | [7].
            Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
            // Join the 128-bit halves of rows 0-3 and 4-7.
            Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
            Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
            Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
            Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
            Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
            Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
            Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
            Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
        }

        // B[K,N]: row p of the panel is a slice of row p of B, copied a vector at a time (the
        // TN kernel repacks short row slices constantly, so no memmove call per row and no
        // per-vector decisions in the common all-full case). In the last panel the partial load
        // never reads past column N and zero-fills the padding lanes.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PanelFromColumns(float* src, int n, float* dst, int k, int nv, int valid)
        {
            int w = TS.Width;
            if (valid == nv * w)
            {
                if (nv == 3)
                {
                    for (int p = 0; p < k; p++, src += n, dst += 3 * w)
                    {
                        TV x0 = TS.Load(src), x1 = TS.Load(src + w), x2 = TS.Load(src + 2 * w);
                        TS.Store(dst, x0); TS.Store(dst + w, x1); TS.Store(dst + 2 * w, x2);
                    }
                }
                else if (nv == 2)
                {
                    for (int p = 0; p < k; p++, src += n, dst += 2 * w)
                    {
                        TV x0 = TS.Load(src), x1 = TS.Load(src + w);
                        TS.Store(dst, x0); TS.Store(dst + w, x1);
                    }
                }
                else
                {
                    for (int p = 0; p < k; p++, src += n, dst += w) TS.Store(dst, TS.Load(src));
                }
                return;
            }
            for (int p = 0; p < k; p++, src += n, dst += nv * w)
            {
                for (int v = 0; v < nv; v++)
                {
                    int count = valid - v * w;
                    TV x = count >= w ? TS.Load(src + v * w) : count > 0 ? TS.LoadPartial(src + v * w, count) : TS.Zero;
                    TS.Store(dst + v * w, x);
                }
            }
        }
    }

    /// <summary>Packs all of B into <paramref name="dst"/> (K × plan.PaddedN floats), in parallel
    /// over panels when B is big enough to be worth it.</summary>
    public static void Pack<TS, TV>(float* b, float* dst, int n, int k, bool transposed, in PanelPlan plan)
        where TS : struct, ISimd<TV> where TV : struct
    {
        var op = new PackOp<TS, TV> { B = b, Dst = dst, N = n, K = k, Transposed = transposed, Plan = plan };
        int perPanel = Math.Max(1, 3 * plan.Width * k);
        Workers.For(plan.Count, op, minPerPart: Math.Max(1, 32768 / perPanel));
    }
}
