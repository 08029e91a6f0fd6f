using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

/// <summary>
/// The per-channel column sums batch norm needs, over one block of rows of x [rows, C]:
/// statistics (Σ (x − k), Σ (x − k)²) for the forward pass and (Σ g, Σ g·(x − mean)) for the
/// backward pass. Channels go in groups of four vectors whose accumulators stay in registers
/// for the whole block. (Accumulating into a per-channel array instead chains every row
/// through a store and a reload of the same address: for C = 16 or 32 that made the forward
/// statistics pass the single most expensive kernel of a training step.)
///
/// Every channel's sums are plain sequential float sums over the rows, in row order, whatever
/// the vector width or grouping: the results are bit-identical on every path.
/// </summary>
internal static unsafe class BatchNormSums
{
    /// <summary>s[ch] = Σ_r (x[r,ch] − k[ch]);  s2[ch] = Σ_r (x[r,ch] − k[ch])², fused.</summary>
    public static void Squares(float* x, int rows, int c, float* k, float* s, float* s2)
    {
        int isa = SimdIsa.Current, ch = 0;
        if (isa == SimdIsa.V512 && c >= Simd512.Width) ch = SquaresVectors<Simd512, Vector512<float>>(x, rows, c, k, s, s2);
        else if (isa != SimdIsa.Scalar && c >= Simd256.Width) ch = SquaresVectors<Simd256, Vector256<float>>(x, rows, c, k, s, s2);
        for (; ch < c; ch++)
        {
            float a = 0f, a2 = 0f, kc = k[ch];
            for (int r = 0; r < rows; r++)
            {
                float v = x[(nint)r * c + ch] - kc;
                a += v;
                a2 = MathF.FusedMultiplyAdd(v, v, a2);
            }
            s[ch] = a; s2[ch] = a2;
        }
    }

    /// <summary>s[ch] = Σ_r g;  sx[ch] = Σ_r g·(x[r,ch] − mean[ch]), fused; g = dy[r,ch], zeroed
    /// where 0 &lt; a·x + b &lt; 6 fails when <paramref name="a"/> is not null (the ReLU6 mask,
    /// recomputed with the forward's fused multiply-add).</summary>
    public static void Grad(float* dy, float* x, int rows, int c, float* a, float* b, float* mean, float* s, float* sx)
    {
        int isa = SimdIsa.Current, ch = 0;
        if (isa == SimdIsa.V512 && c >= Simd512.Width) ch = GradVectors<Simd512, Vector512<float>>(dy, x, rows, c, a, b, mean, s, sx);
        else if (isa != SimdIsa.Scalar && c >= Simd256.Width) ch = GradVectors<Simd256, Vector256<float>>(dy, x, rows, c, a, b, mean, s, sx);
        for (; ch < c; ch++)
        {
            float acc = 0f, accx = 0f, m = mean[ch];
            for (int r = 0; r < rows; r++)
            {
                nint i = (nint)r * c + ch;
                float g = dy[i];
                if (a != null)
                {
                    float y = MathF.FusedMultiplyAdd(x[i], a[ch], b[ch]);
                    if (!(y > 0f && y < 6f)) g = 0f;
                }
                acc += g;
                accx = MathF.FusedMultiplyAdd(g, x[i] - m, accx);
            }
            s[ch] = acc; sx[ch] = accx;
        }
    }

    /// <summary>Vectors per chunk, as a type so each chunk kernel is compiled per count with the
    /// unused accumulators removed.</summary>
    private interface IVectorCount { static abstract int N { get; } }
    private struct One : IVectorCount { public static int N => 1; }
    private struct Two : IVectorCount { public static int N => 2; }
    private struct Four : IVectorCount { public static int N => 4; }
    private struct Six : IVectorCount { public static int N => 6; }
    private struct Eight : IVectorCount { public static int N => 8; }

    /// <summary>First channel of vector <paramref name="i"/> of the chunk at <paramref name="ch"/>;
    /// vectors past the end of the row step back to c − W (the same sums computed twice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint Offset(int ch, int i, int w, int c) => Math.Min(ch + i * w, c - w);

    /// <summary>Vectors the chunk at <paramref name="ch"/> should cover: 1, 2, 4, 6 or 8 (six is
    /// C = 96, the largest activations of MobileNetV2-1.0).</summary>
    private static int ChunkVectors(int ch, int c, int w)
    {
        int left = (c - ch + w - 1) / w;
        return left >= 7 ? 8 : left >= 5 ? 6 : left >= 3 ? 4 : left;
    }

    /// <summary>What one chunk sums for one vector of one row: s += f(row), t += g(row).</summary>
    private interface IColumnStep<TV> where TV : struct
    {
        /// <summary><paramref name="u"/>, <paramref name="v"/>: this row of the two inputs (x, x for
        /// the statistics; dy, x for the gradient); <paramref name="o"/>: the vector's first channel.</summary>
        void Step(float* u, float* v, nint o, ref TV s, ref TV t);
    }

    /// <summary>v = x − k: s += v, t += v² (fused).</summary>
    private readonly struct SquareStep<TS, TV>(float* k) : IColumnStep<TV> where TS : struct, ISimd<TV> where TV : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step(float* x, float* unused, nint o, ref TV s, ref TV t)
        {
            TV d = TS.Subtract(TS.Load(x + o), TS.Load(k + o));
            s = TS.Add(s, d);
            t = TS.MulAdd(d, d, t);
        }
    }

    /// <summary>g = dy (zeroed outside 0 &lt; a·x + b &lt; 6 when a is set): s += g, t += g·(x − mean) (fused).</summary>
    private readonly struct GradStep<TS, TV>(float* a, float* b, float* mean) : IColumnStep<TV> where TS : struct, ISimd<TV> where TV : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step(float* dy, float* x, nint o, ref TV s, ref TV t)
        {
            TV xv = TS.Load(x + o), g = TS.Load(dy + o);
            if (a != null) g = TS.KeepInside06(g, TS.MulAdd(xv, TS.Load(a + o), TS.Load(b + o)));
            s = TS.Add(s, g);
            t = TS.MulAdd(g, TS.Subtract(xv, TS.Load(mean + o)), t);
        }
    }

    /// <summary>The vector part of <see cref="Squares"/> for c ≥ W: all channels (returns c).</summary>
    private static int SquaresVectors<TS, TV>(float* x, int rows, int c, float* k, float* s, float* s2)
        where TS : struct, ISimd<TV> where TV : struct
        => AllChunks<TS, TV, SquareStep<TS, TV>>(new SquareStep<TS, TV>(k), x, x, rows, c, s, s2);

    /// <summary>The vector part of <see cref="Grad"/> for c ≥ W: all channels (returns c).</summary>
    private static int GradVectors<TS, TV>(float* dy, float* x, int rows, int c, float* a, float* b, float* mean, float* s, float* sx)
        where TS : struct, ISimd<TV> where TV : struct
        => AllChunks<TS, TV, GradStep<TS, TV>>(new GradStep<TS, TV>(a, b, mean), dy, x, rows, c, s, sx);

    /// <summary>Every channel of the rows, chunk by chunk: the smallest of the 1/2/4/6/8-vector kernels
    /// that covers what is left. Each chunk walks the rows with all its sums in registers, so for
    /// c ≤ 8·W every row is read front to back in one go (walking a block column group by column
    /// group instead measured 43 against 67 GB/s on this machine).</summary>
    private static int AllChunks<TS, TV, TOp>(TOp op, float* u, float* v, int rows, int c, float* s, float* t)
        where TS : struct, ISimd<TV> where TV : struct where TOp : struct, IColumnStep<TV>
    {
        int w = TS.Width;
        for (int ch = 0; ch < c;)
        {
            int n = ChunkVectors(ch, c, w);
            switch (n)
            {
                case 8: Chunk<TS, TV, TOp, Eight>(op, u, v, rows, c, ch, s, t); break;
                case 6: Chunk<TS, TV, TOp, Six>(op, u, v, rows, c, ch, s, t); break;
                case 4: Chunk<TS, TV, TOp, Four>(op, u, v, rows, c, ch, s, t); break;
                case 2: Chunk<TS, TV, TOp, Two>(op, u, v, rows, c, ch, s, t); break;
                default: Chunk<TS, TV, TOp, One>(op, u, v, rows, c, ch, s, t); break;
            }
            ch += n * w;
        }
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<TS, TV, TOp, TN>(TOp op, float* u, float* v, int rows, int c, int ch, float* s, float* t)
        where TS : struct, ISimd<TV> where TV : struct where TOp : struct, IColumnStep<TV> where TN : struct, IVectorCount
    {
        int w = TS.Width;
        nint o0 = Offset(ch, 0, w, c), o1 = 0, o2 = 0, o3 = 0, o4 = 0, o5 = 0, o6 = 0, o7 = 0;
        if (TN.N > 1) o1 = Offset(ch, 1, w, c);
        if (TN.N > 2) { o2 = Offset(ch, 2, w, c); o3 = Offset(ch, 3, w, c); }
        if (TN.N > 4) { o4 = Offset(ch, 4, w, c); o5 = Offset(ch, 5, w, c); }
        if (TN.N > 6) { o6 = Offset(ch, 6, w, c); o7 = Offset(ch, 7, w, c); }
        TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero, s4 = TS.Zero, s5 = TS.Zero, s6 = TS.Zero, s7 = TS.Zero;
        TV t0 = TS.Zero, t1 = TS.Zero, t2 = TS.Zero, t3 = TS.Zero, t4 = TS.Zero, t5 = TS.Zero, t6 = TS.Zero, t7 = TS.Zero;
        for (int r = 0; r < rows; r++, u += c, v += c)
        {
            op.Step(u, v, o0, ref s0, ref t0);
            if (TN.N > 1) op.Step(u, v, o1, ref s1, ref t1);
            if (TN.N > 2) { op.Step(u, v, o2, ref s2, ref t2); op.Step(u, v, o3, ref s3, ref t3); }
            if (TN.N > 4) { op.Step(u, v, o4, ref s4, ref t4); op.Step(u, v, o5, ref s5, ref t5); }
            if (TN.N > 6) { op.Step(u, v, o6, ref s6, ref t6); op.Step(u, v, o7, ref s7, ref t7); }
        }
        // Vectors past the row end duplicate the last one (same offset, same sums), so the order
        // of these stores does not matter.
        if (TN.N > 6) { TS.Store(s + o7, s7); TS.Store(t + o7, t7); TS.Store(s + o6, s6); TS.Store(t + o6, t6); }
        if (TN.N > 4) { TS.Store(s + o5, s5); TS.Store(t + o5, t5); TS.Store(s + o4, s4); TS.Store(t + o4, t4); }
        if (TN.N > 2) { TS.Store(s + o3, s3); TS.Store(t + o3, t3); TS.Store(s + o2, s2); TS.Store(t + o2, t2); }
        if (TN.N > 1) { TS.Store(s + o1, s1); TS.Store(t + o1, t1); }
        TS.Store(s + o0, s0); TS.Store(t + o0, t0);
    }
}
