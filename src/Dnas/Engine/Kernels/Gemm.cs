using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

/// <summary>Row-major single-precision matrix products for the engine: 1x1 convolutions
/// (NHWC rows = pixels, columns = channels), fully connected layers and their gradients.
/// Parallel over both cores; deterministic for a given thread count. Built for the
/// tall-skinny shapes of a small CNN (M = pixels, N and K = channel counts), see
/// <see cref="GemmRows"/> and <see cref="GemmTN"/>; <see cref="Reference.GemmReference"/>
/// defines the exact semantics.</summary>
public static unsafe class Gemm
{
    /// <summary>C[M,N] (+)= A[M,K] · B[N,K]ᵀ  (1x1 conv forward with W[O,I]).</summary>
    public static void MatMulNT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        if (Trivial("MatMulNT", a, b, c, m, n, k, accumulate)) return;
        fixed (float* pa = a, pb = b, pc = c)
            Rows(pa, pb, pc, m, n, k, accumulate, transposedB: true);
    }

    /// <summary>C[M,N] = map(A)[M,K] · B[N,K]ᵀ where map(A) = scale·A + shift per column of A, clamped
    /// to [0, 6] with <paramref name="aRelu6"/>, and <paramref name="aMap"/> = [scale(K), shift(K)]:
    /// a 1x1 conv reading a batch-norm output its producer left as the pre-norm values.
    /// Bit-identical to mapping A first and calling <see cref="MatMulNT(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>.</summary>
    public static void MatMulNT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, ReadOnlySpan<float> aMap, bool aRelu6)
    {
        Shape.Require("MatMulNT A map", aMap.Length, 2L * k);
        if (Trivial("MatMulNT", a, b, c, m, n, k, accumulate: false)) return;
        fixed (float* pa = a, pb = b, pc = c, pm = aMap)
            Rows(pa, pb, pc, m, n, k, false, transposedB: true, pm, aRelu6);
    }

    /// <summary>C[M,N] (+)= A[M,K] · B[K,N]  (1x1 conv input gradient dX = dY · W).</summary>
    public static void MatMulNN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        if (Trivial("MatMulNN", a, b, c, m, n, k, accumulate)) return;
        fixed (float* pa = a, pb = b, pc = c)
            Rows(pa, pb, pc, m, n, k, accumulate, transposedB: false);
    }

    /// <summary>C[M,N] (+)= A[K,M]ᵀ · B[K,N]  (weight gradient dW = dYᵀ · X).</summary>
    public static void MatMulTN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        if (Trivial("MatMulTN", a, b, c, m, n, k, accumulate)) return;
        fixed (float* pa = a, pb = b, pc = c)
            Transposed(pa, pb, pc, m, n, k, accumulate, null, false);
    }

    /// <summary>C[M,N] (+)= A[K,M]ᵀ · map(B)[K,N], map(B) = scale·B + shift per column of B (clamped to
    /// [0, 6] with <paramref name="bRelu6"/>), <paramref name="bMap"/> = [scale(N), shift(N)]: the
    /// weight gradient of a 1x1 conv whose input is a deferred batch-norm output.
    /// Bit-identical to mapping B first.</summary>
    public static void MatMulTN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate,
        ReadOnlySpan<float> bMap, bool bRelu6)
    {
        Shape.Require("MatMulTN B map", bMap.Length, 2L * n);
        if (Trivial("MatMulTN", a, b, c, m, n, k, accumulate)) return;
        fixed (float* pa = a, pb = b, pc = c, pm = bMap)
            Transposed(pa, pb, pc, m, n, k, accumulate, pm, bRelu6);
    }

    private static void Rows(float* a, float* b, float* c, int m, int n, int k, bool accumulate, bool transposedB,
        float* aMap = null, bool aRelu6 = false)
    {
        switch (SimdIsa.Current)
        {
            case SimdIsa.V512: GemmRows.Run<Simd512, Vector512<float>>(a, b, c, m, n, k, accumulate, transposedB, aMap, aRelu6); break;
            case SimdIsa.V256: GemmRows.Run<Simd256, Vector256<float>>(a, b, c, m, n, k, accumulate, transposedB, aMap, aRelu6); break;
            default: GemmRows.Run<SimdScalar, float>(a, b, c, m, n, k, accumulate, transposedB, aMap, aRelu6); break;
        }
    }

    private static void Transposed(float* a, float* b, float* c, int m, int n, int k, bool accumulate, float* bMap, bool bRelu6)
    {
        switch (SimdIsa.Current)
        {
            case SimdIsa.V512: GemmTN.Run<Simd512, Vector512<float>>(a, b, c, m, n, k, accumulate, bMap, bRelu6); break;
            case SimdIsa.V256: GemmTN.Run<Simd256, Vector256<float>>(a, b, c, m, n, k, accumulate, bMap, bRelu6); break;
            default: GemmTN.Run<SimdScalar, float>(a, b, c, m, n, k, accumulate, bMap, bRelu6); break;
        }
    }

    /// <summary>Checks sizes; handles empty products (K = 0 leaves C, or zeroes it). Returns
    /// true when nothing is left to compute.</summary>
    private static bool Trivial(string what, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"{what}: negative dimension (m={m}, n={n}, k={k})");
        Shape.Require(what, " A", a.Length, (long)m * k);
        Shape.Require(what, " B", b.Length, (long)n * k);
        Shape.Require(what, " C", c.Length, (long)m * n);
        if (m == 0 || n == 0) return true;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return true;
        }
        return false;
    }
}
