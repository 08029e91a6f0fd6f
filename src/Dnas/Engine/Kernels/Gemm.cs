using Dnas.Engine.Reference;

namespace Dnas.Engine.Kernels;

/// <summary>Row-major single-precision matrix products for the engine: 1x1 convolutions
/// (NHWC rows = pixels, columns = channels), fully connected layers and their gradients.
/// Parallel over both cores; deterministic for a given thread count.</summary>
public static class Gemm
{
    /// <summary>C[M,N] (+)= A[M,K] · B[N,K]ᵀ  (1x1 conv forward with W[O,I]).</summary>
    public static void MatMulNT(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => GemmReference.MatMulNT(a, b, c, m, n, k, accumulate);

    /// <summary>C[M,N] (+)= A[M,K] · B[K,N]  (1x1 conv input gradient dX = dY · W).</summary>
    public static void MatMulNN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => GemmReference.MatMulNN(a, b, c, m, n, k, accumulate);

    /// <summary>C[M,N] (+)= A[K,M]ᵀ · B[K,N]  (weight gradient dW = dYᵀ · X).</summary>
    public static void MatMulTN(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => GemmReference.MatMulTN(a, b, c, m, n, k, accumulate);
}
