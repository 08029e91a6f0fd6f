using System.Runtime.CompilerServices;

namespace Dnas.Engine.Kernels;

/// <summary>
/// Register-blocked GEMM micro-kernels shared by all three products. Each computes a tile of
/// C of MR rows × NV vectors over kc steps of the reduction:
///   C[r, 0..NV·W) (+)= Σ_p A(r, p) · B(p, 0..NV·W)
/// with A(r, p) at a + r·rs + p·ks (so row-major A and transposed A are the same code) and
/// B's row p at b + p·bs, NV·W contiguous floats (a packed panel, or a raw row-major row).
/// Every step broadcasts one A element per row and FMAs it against the NV B vectors, so the
/// MR·NV accumulators never leave registers: 12 of them hide the FMA latency on both the
/// 16-register (AVX2) and 32-register (AVX-512) files without spilling.
///
/// Tails: rows past <c>mr</c> re-read the last valid row of A (always in bounds) and are
/// simply not stored; columns past <c>ncols</c> are computed on B's padding and not stored.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>Largest row count of any kernel; drivers align thread splits to the
    /// least common multiple of all MR values (4, 6, 8).</summary>
    public const int RowAlign = 24;

    /// <summary>Rows per tile for a panel of <paramref name="nv"/> vectors.</summary>
    public static int RowsFor(int nv) => nv switch { 3 => 4, 2 => 6, _ => 8 };

    /// <summary>Runs the kernel for a panel of nv ∈ {1,2,3} vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile<TS, TV>(int nv, float* a, nint rs, nint ks, int mr, float* b, nint bs, int kc,
                                    float* c, nint ldc, int ncols, bool acc)
        where TS : struct, ISimd<TV> where TV : struct
    {
        if (nv == 3) K4x3<TS, TV>(a, rs, ks, mr, b, bs, kc, c, ldc, ncols, acc);
        else if (nv == 2) K6x2<TS, TV>(a, rs, ks, mr, b, bs, kc, c, ldc, ncols, acc);
        else K8x1<TS, TV>(a, rs, ks, mr, b, bs, kc, c, ldc, ncols, acc);
    }

    /// <summary>4 rows × 3 vectors (24 columns with AVX2, 48 with AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K4x3<TS, TV>(float* a, nint rs, nint ks, int mr, float* b, nint bs, int kc,
                                    float* c, nint ldc, int ncols, bool acc)
        where TS : struct, ISimd<TV> where TV : struct
    {
        nint w = TS.Width;
        float* a0 = a, a1 = a + Math.Min(1, mr - 1) * rs, a2 = a + Math.Min(2, mr - 1) * rs, a3 = a + Math.Min(3, mr - 1) * rs;
        TV c00 = TS.Zero, c01 = TS.Zero, c02 = TS.Zero;
        TV c10 = TS.Zero, c11 = TS.Zero, c12 = TS.Zero;
        TV c20 = TS.Zero, c21 = TS.Zero, c22 = TS.Zero;
        TV c30 = TS.Zero, c31 = TS.Zero, c32 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TS.Load(b), b1 = TS.Load(b + w), b2 = TS.Load(b + 2 * w);
            TV x = TS.Broadcast(a0);
            c00 = TS.MulAdd(x, b0, c00); c01 = TS.MulAdd(x, b1, c01); c02 = TS.MulAdd(x, b2, c02);
            x = TS.Broadcast(a1);
            c10 = TS.MulAdd(x, b0, c10); c11 = TS.MulAdd(x, b1, c11); c12 = TS.MulAdd(x, b2, c12);
            x = TS.Broadcast(a2);
            c20 = TS.MulAdd(x, b0, c20); c21 = TS.MulAdd(x, b1, c21); c22 = TS.MulAdd(x, b2, c22);
            x = TS.Broadcast(a3);
            c30 = TS.MulAdd(x, b0, c30); c31 = TS.MulAdd(x, b1, c31); c32 = TS.MulAdd(x, b2, c32);
            a0 += ks; a1 += ks; a2 += ks; a3 += ks; b += bs;
        }
        StoreRow3<TS, TV>(c, c00, c01, c02, ncols, acc);
        if (mr > 1) StoreRow3<TS, TV>(c + ldc, c10, c11, c12, ncols, acc);
        if (mr > 2) StoreRow3<TS, TV>(c + 2 * ldc, c20, c21, c22, ncols, acc);
        if (mr > 3) StoreRow3<TS, TV>(c + 3 * ldc, c30, c31, c32, ncols, acc);
    }

    /// <summary>6 rows × 2 vectors (the classic 6×16 AVX2 shape).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K6x2<TS, TV>(float* a, nint rs, nint ks, int mr, float* b, nint bs, int kc,
                                    float* c, nint ldc, int ncols, bool acc)
        where TS : struct, ISimd<TV> where TV : struct
    {
        nint w = TS.Width;
        float* a0 = a, a1 = a + Math.Min(1, mr - 1) * rs, a2 = a + Math.Min(2, mr - 1) * rs;
        float* a3 = a + Math.Min(3, mr - 1) * rs, a4 = a + Math.Min(4, mr - 1) * rs, a5 = a + Math.Min(5, mr - 1) * rs;
        TV c00 = TS.Zero, c01 = TS.Zero, c10 = TS.Zero, c11 = TS.Zero, c20 = TS.Zero, c21 = TS.Zero;
        TV c30 = TS.Zero, c31 = TS.Zero, c40 = TS.Zero, c41 = TS.Zero, c50 = TS.Zero, c51 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TS.Load(b), b1 = TS.Load(b + w);
            TV x = TS.Broadcast(a0); c00 = TS.MulAdd(x, b0, c00); c01 = TS.MulAdd(x, b1, c01);
            x = TS.Broadcast(a1); c10 = TS.MulAdd(x, b0, c10); c11 = TS.MulAdd(x, b1, c11);
            x = TS.Broadcast(a2); c20 = TS.MulAdd(x, b0, c20); c21 = TS.MulAdd(x, b1, c21);
            x = TS.Broadcast(a3); c30 = TS.MulAdd(x, b0, c30); c31 = TS.MulAdd(x, b1, c31);
            x = TS.Broadcast(a4); c40 = TS.MulAdd(x, b0, c40); c41 = TS.MulAdd(x, b1, c41);
            x = TS.Broadcast(a5); c50 = TS.MulAdd(x, b0, c50); c51 = TS.MulAdd(x, b1, c51);
            a0 += ks; a1 += ks; a2 += ks; a3 += ks; a4 += ks; a5 += ks; b += bs;
        }
        StoreRow2<TS, TV>(c, c00, c01, ncols, acc);
        if (mr > 1) StoreRow2<TS, TV>(c + ldc, c10, c11, ncols, acc);
        if (mr > 2) StoreRow2<TS, TV>(c + 2 * ldc, c20, c21, ncols, acc);
        if (mr > 3) StoreRow2<TS, TV>(c + 3 * ldc, c30, c31, ncols, acc);
        if (mr > 4) StoreRow2<TS, TV>(c + 4 * ldc, c40, c41, ncols, acc);
        if (mr > 5) StoreRow2<TS, TV>(c + 5 * ldc, c50, c51, ncols, acc);
    }

    /// <summary>8 rows × 1 vector, for panels one vector wide (N ≤ W, or W = 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void K8x1<TS, TV>(float* a, nint rs, nint ks, int mr, float* b, nint bs, int kc,
                                    float* c, nint ldc, int ncols, bool acc)
        where TS : struct, ISimd<TV> where TV : struct
    {
        float* a0 = a, a1 = a + Math.Min(1, mr - 1) * rs, a2 = a + Math.Min(2, mr - 1) * rs, a3 = a + Math.Min(3, mr - 1) * rs;
        float* a4 = a + Math.Min(4, mr - 1) * rs, a5 = a + Math.Min(5, mr - 1) * rs, a6 = a + Math.Min(6, mr - 1) * rs, a7 = a + Math.Min(7, mr - 1) * rs;
        TV c0 = TS.Zero, c1 = TS.Zero, c2 = TS.Zero, c3 = TS.Zero, c4 = TS.Zero, c5 = TS.Zero, c6 = TS.Zero, c7 = TS.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TS.Load(b);
            c0 = TS.MulAdd(TS.Broadcast(a0), b0, c0); c1 = TS.MulAdd(TS.Broadcast(a1), b0, c1);
            c2 = TS.MulAdd(TS.Broadcast(a2), b0, c2); c3 = TS.MulAdd(TS.Broadcast(a3), b0, c3);
            c4 = TS.MulAdd(TS.Broadcast(a4), b0, c4); c5 = TS.MulAdd(TS.Broadcast(a5), b0, c5);
            c6 = TS.MulAdd(TS.Broadcast(a6), b0, c6); c7 = TS.MulAdd(TS.Broadcast(a7), b0, c7);
            a0 += ks; a1 += ks; a2 += ks; a3 += ks; a4 += ks; a5 += ks; a6 += ks; a7 += ks; b += bs;
        }
        StoreVec<TS, TV>(c, c0, ncols, acc);
        if (mr > 1) StoreVec<TS, TV>(c + ldc, c1, ncols, acc);
        if (mr > 2) StoreVec<TS, TV>(c + 2 * ldc, c2, ncols, acc);
        if (mr > 3) StoreVec<TS, TV>(c + 3 * ldc, c3, ncols, acc);
        if (mr > 4) StoreVec<TS, TV>(c + 4 * ldc, c4, ncols, acc);
        if (mr > 5) StoreVec<TS, TV>(c + 5 * ldc, c5, ncols, acc);
        if (mr > 6) StoreVec<TS, TV>(c + 6 * ldc, c6, ncols, acc);
        if (mr > 7) StoreVec<TS, TV>(c + 7 * ldc, c7, ncols, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow3<TS, TV>(float* c, TV v0, TV v1, TV v2, int ncols, bool acc)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int w = TS.Width;
        StoreVec<TS, TV>(c, v0, ncols, acc);
        StoreVec<TS, TV>(c + w, v1, ncols - w, acc);
        StoreVec<TS, TV>(c + 2 * w, v2, ncols - 2 * w, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow2<TS, TV>(float* c, TV v0, TV v1, int ncols, bool acc)
        where TS : struct, ISimd<TV> where TV : struct
    {
        StoreVec<TS, TV>(c, v0, ncols, acc);
        StoreVec<TS, TV>(c + TS.Width, v1, ncols - TS.Width, acc);
    }

    /// <summary>Stores (or adds) the first min(count, W) lanes of v; nothing if count ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVec<TS, TV>(float* c, TV v, int count, bool acc)
        where TS : struct, ISimd<TV> where TV : struct
    {
        if (count >= TS.Width)
        {
            if (acc) v = TS.Add(v, TS.Load(c));
            TS.Store(c, v);
        }
        else if (count > 0)
        {
            if (acc) v = TS.Add(v, TS.LoadPartial(c, count));
            TS.StorePartial(c, v, count);
        }
    }
}
