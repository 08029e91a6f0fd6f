namespace Dnas.Engine.Kernels;

/// <summary>
/// A batch norm's backward sums (Σ dy', Σ dy'·(z − mean) per channel; dy' = dy under the
/// ReLU6 mask) gathered by the kernel that writes that dy, block by block while the block and
/// the matching rows of z are in cache. Gathered afterwards instead, they cost a full extra
/// read of dy and z, the layer's largest tensors. Each part of the writing kernel adds into
/// its own slot of double partial sums, rows in order, in float blocks of at most 64 rows
/// (the precision of <see cref="BatchNorm.BackwardCoefficients"/>); the slots are added in
/// slot order by <see cref="BatchNorm.CoefficientsFromSums"/>, so the result is deterministic
/// for a given thread count.
/// </summary>
public readonly ref struct BatchNormGradSumsRequest
{
    /// <summary>z [P,C], the batch norm's input (the conv output before it).</summary>
    public ReadOnlySpan<float> Z { get; init; }
    /// <summary>The forward's [a(C), b(C)] when the output went through ReLU6, else empty.</summary>
    public ReadOnlySpan<float> Mask { get; init; }
    /// <summary>The batch mean [C].</summary>
    public ReadOnlySpan<float> Mean { get; init; }
    /// <summary>[slots][2][C], cleared by the caller; a kernel uses at most Workers.Threads + 1 slots.</summary>
    public Span<double> Partials { get; init; }
    public int C { get; init; }

    public bool IsEmpty => Partials.IsEmpty;

    /// <summary>Slots a request needs: one per thread and one for rows done after the join.</summary>
    public static int Slots => Workers.Threads + 1;

    internal void Check(string what, long dyLength)
    {
        if (IsEmpty) return;
        // (what, part) pairs: no string is built unless a check fails (the step allocates nothing).
        Shape.Require(what, " gradient-sum z", Z.Length, dyLength);
        Shape.Require(what, " gradient-sum mean", Mean.Length, C);
        if (!Mask.IsEmpty) Shape.Require(what, " gradient-sum mask", Mask.Length, 2L * C);
        Shape.Require(what, " gradient-sum partials", Partials.Length, (long)Slots * 2 * C);
    }
}

/// <summary>The pinned form of a <see cref="BatchNormGradSumsRequest"/> a kernel's parts add into.</summary>
internal readonly unsafe struct BatchNormGradSums(float* z, float* mask, float* mean, double* partials, int c)
{
    public bool IsEmpty => partials == null;

    /// <summary>Adds rows [row0, row0 + rows) of dy (<paramref name="dy"/> points at row0) into <paramref name="slot"/>.</summary>
    public void Add(float* dy, long row0, int rows, int slot)
    {
        float* acc = stackalloc float[2 * c];
        double* o1 = partials + (nint)slot * 2 * c, o2 = o1 + c;
        for (int r = 0; r < rows; r += BatchNorm.Block)
        {
            int n = Math.Min(BatchNorm.Block, rows - r);
            BatchNormSums.Grad(dy + (nint)r * c, z + (row0 + r) * c, n, c, mask, mask == null ? null : mask + c, mean, acc, acc + c);
            for (int ch = 0; ch < c; ch++) { o1[ch] += acc[ch]; o2[ch] += acc[c + ch]; }
        }
    }
}
