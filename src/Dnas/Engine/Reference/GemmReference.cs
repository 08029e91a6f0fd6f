using System.Numerics;
namespace Dnas.Engine.Reference;

/// <summary>Plain triple-loop matrix products, row-major, the yardstick for <see cref="Kernels.Gemm"/>.
/// Accumulates in the order k = 0..K-1 so tests can use tight tolerances.</summary>
public static class GemmReference
{
    /// <summary>C[M,N] (+)= A[M,K] · B[N,K]ᵀ</summary>
    public static void MatMulNT<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = accumulate ? c[i * n + j] : T.Zero;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
                c[i * n + j] = s;
            }
    }

    /// <summary>C[M,N] (+)= A[M,K] · B[K,N]</summary>
    public static void MatMulNN<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = accumulate ? c[i * n + j] : T.Zero;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
    }

    /// <summary>C[M,N] (+)= A[K,M]ᵀ · B[K,N]</summary>
    public static void MatMulTN<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = accumulate ? c[i * n + j] : T.Zero;
                for (int p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
                c[i * n + j] = s;
            }
    }
}
