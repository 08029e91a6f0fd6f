using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

/// <summary>Depthwise KxK convolution (stride 1 or 2, TFLite SAME padding), NHWC, weights
/// [K,K,C], depth multiplier 1. Semantics are those of <see cref="Reference.DepthwiseReference"/>.
/// Vectorised over channels (innermost in NHWC), parallel over rows with <see cref="Workers"/>.
/// Forward and the input gradient are both written as a gather: every output element is a
/// fresh sum over the taps that reach it, so threads write disjoint rows and a partial last
/// channel block may simply overlap the previous one.</summary>
public static partial class Depthwise
{
    // Rough lane-FMAs a part must hold before another thread is worth waking.
    private const int WorkPerPart = 1 << 16;

    // x [N,H,W,C], w [K,K,C] -> y [N,OH,OW,C]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int n, int h, int wd, int c, int k, int stride) =>
        Forward(x, w, y, n, h, wd, c, k, stride, default, false);

    /// <summary>As above with the input read through a batch-norm map <paramref name="xMap"/> = [a(C), b(C)]:
    /// x is the producer's pre-norm output and the convolution sees a·x + b (clamped to [0, 6] with
    /// <paramref name="xRelu6"/>). An empty map reads x as it is.</summary>
    public static unsafe void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int n, int h, int wd, int c, int k, int stride,
        ReadOnlySpan<float> xMap, bool xRelu6)
    {
        var g = new Geometry(n, h, wd, c, k, stride);
        Shape.Require("depthwise forward input", x.Length, g.InputSize);
        Shape.Require("depthwise forward weights", w.Length, g.WeightSize);
        Shape.Require("depthwise forward output", y.Length, g.OutputSize);
        if (!xMap.IsEmpty) Shape.Require("depthwise forward input map", xMap.Length, 2L * c);
        if (g.OutputSize == 0) return;
        fixed (float* px = x, pw = w, py = y, pm = xMap)
        {
            float* wa = WeightScratch(g.WeightSize); // read by every tap: an aligned copy
            new ReadOnlySpan<float>(pw, (int)g.WeightSize).CopyTo(new Span<float>(wa, (int)g.WeightSize));
            var op = new ForwardOp { G = g, X = px, W = wa, Y = py, Lanes = LanesFor(c), Map = new InputMap(xMap.IsEmpty ? null : pm, xRelu6) };
            int rows = n * g.Oh;
            Workers.For(rows, in op, MinRows((long)g.Ow * c * k * k));
        }
    }

    private static int MinRows(long workPerRow) => (int)Math.Clamp(WorkPerPart / Math.Max(1, workPerRow), 1, int.MaxValue);

    /// <summary>Shape of one depthwise call with the SAME-padding geometry worked out once.</summary>
    private readonly struct Geometry
    {
        public readonly int N, H, W, C, K, S, Oh, Ow, Pt, Pl;

        public Geometry(int n, int h, int wd, int c, int k, int stride)
        {
            if (n < 0 || h < 0 || wd < 0 || c < 0)
                throw new ArgumentOutOfRangeException(nameof(n), $"depthwise: negative dimension in [{n},{h},{wd},{c}]");
            if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), $"depthwise: kernel size {k} must be at least 1");
            // The gather loops step kernel taps by the stride with a shift, so only 1 and 2 are supported
            // (all MobileNetV2 needs).
            if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), $"depthwise: stride {stride} must be 1 or 2");
            N = n; H = h; W = wd; C = c; K = k; S = stride;
            Oh = Padding.SameOutput(h, stride);
            Ow = Padding.SameOutput(wd, stride);
            Pt = Padding.SameBefore(h, k, stride);
            Pl = Padding.SameBefore(wd, k, stride);
        }

        public long InputSize => (long)N * H * W * C;
        public long OutputSize => (long)N * Oh * Ow * C;
        public long WeightSize => (long)K * K * C;
    }

    private unsafe struct ForwardOp : IRangeOp
    {
        public Geometry G;
        public float* X, W, Y;
        public int Lanes;
        public InputMap Map;

        public readonly void Run(int start, int end)
        {
            if (Map.IsIdentity)
            {
                Rows(start, end);
                return;
            }
            float* stage = Stage(in G);
            {
                int band = StagedBand(in G);
                var staged = this;
                for (int r0 = start, r1; r0 < end; r0 = r1)
                {
                    r1 = BandEnd(in G, r0, band, end);
                    staged.X = StageInput(in G, X, in Map, r0, r1, stage);
                    staged.Rows(r0, r1);
                }
            }
        }

        private readonly void Rows(int start, int end)
        {
            switch (Lanes)
            {
                case 16: ForwardRows<Lanes512, Vector512<float>>(in this, start, end); break;
                case 8: ForwardRows<Lanes256, Vector256<float>>(in this, start, end); break;
                case 4: ForwardRows<Lanes128, Vector128<float>>(in this, start, end); break;
                default: ForwardRows<Lanes1, float>(in this, start, end); break;
            }
        }
    }

    // Output rows [start, end) of the flattened [N*OH] row index.
    private static unsafe void ForwardRows<L, TV>(in ForwardOp op, int start, int end)
        where L : struct, ILanes<TV> where TV : struct
    {
        Geometry g = op.G;
        int c = g.C, k = g.K, s = g.S, shift = s - 1; // s is 1 or 2
        nint xRow = (nint)g.W * c, wRow = (nint)k * c;
        // Interior columns [oxA, oxB): all k taps inside the row, so they can go through the
        // blocked strip kernel; the few border columns get clipped tap ranges one at a time.
        int oxA = Math.Min(g.Ow, (g.Pl + shift) >> shift);
        int oxB = g.W - k + g.Pl >= 0 ? Math.Min(g.Ow, ((g.W - k + g.Pl) >> shift) + 1) : 0;
        oxB = Math.Max(oxA, oxB);
        for (int r = start; r < end; r++)
        {
            int b = r / g.Oh, oy = r - b * g.Oh;
            // Kernel rows that land inside the image; padding rows are skipped, not multiplied by zero.
            int iy0 = oy * s - g.Pt;
            int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(k, g.H - iy0);
            int rows = kyHi - kyLo;
            float* xr = op.X + ((nint)b * g.H + iy0 + kyLo) * xRow;
            float* wr = op.W + kyLo * wRow;
            float* yr = op.Y + (nint)r * g.Ow * c;
            for (int ox = 0; ox < g.Ow; ox++)
            {
                if (ox == oxA)
                {
                    GatherStrip<L, TV>(xr + ((nint)ox * s - g.Pl) * c, (nint)s * c, xRow, c, wr, wRow, c,
                        rows, k, yr + (nint)ox * c, c, oxB - oxA, c);
                    ox = oxB;
                    if (ox == g.Ow) break;
                }
                int ix0 = ox * s - g.Pl;
                int kxLo = Math.Max(0, -ix0), kxHi = Math.Min(k, g.W - ix0);
                GatherPixel<L, TV>(xr + (nint)(ix0 + kxLo) * c, xRow, c, wr + (nint)kxLo * c, wRow, c,
                    rows, kxHi - kxLo, yr + (nint)ox * c, c);
            }
        }
    }

    /// <summary>GatherPixel for <paramref name="count"/> pixels that share one tap pattern, the
    /// i-th reading src + i·srcPix and writing dst + i·dstPix. Four pixels go together so each
    /// weight vector is loaded once for four FMAs, and the four sums are independent chains.</summary>
    private static unsafe void GatherStrip<L, TV>(float* src, nint srcPix, nint srcRow, nint srcTap, float* w, nint wRow, nint wTap,
        int rows, int taps, float* dst, nint dstPix, int count, int c)
        where L : struct, ILanes<TV> where TV : struct
    {
        int i = 0;
        for (; i + 4 <= count; i += 4, src += 4 * srcPix, dst += 4 * dstPix)
        {
            int cb = 0;
            for (; cb + L.Count <= c; cb += L.Count)
                GatherQuad<L, TV>(src + cb, srcPix, srcRow, srcTap, w + cb, wRow, wTap, rows, taps, dst + cb, dstPix);
            if (cb < c)
            {
                cb = c - L.Count;
                GatherQuad<L, TV>(src + cb, srcPix, srcRow, srcTap, w + cb, wRow, wTap, rows, taps, dst + cb, dstPix);
            }
        }
        for (; i < count; i++, src += srcPix, dst += dstPix)
            GatherPixel<L, TV>(src, srcRow, srcTap, w, wRow, wTap, rows, taps, dst, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void GatherQuad<L, TV>(float* src, nint srcPix, nint srcRow, nint srcTap, float* w, nint wRow, nint wTap,
        int rows, int taps, float* dst, nint dstPix)
        where L : struct, ILanes<TV> where TV : struct
    {
        TV a0 = L.Zero, a1 = L.Zero, a2 = L.Zero, a3 = L.Zero;
        for (int r = 0; r < rows; r++, src += srcRow, w += wRow)
        {
            float* sp = src, wp = w;
            for (int t = 0; t < taps; t++, sp += srcTap, wp += wTap)
            {
                TV wv = L.Load(wp);
                a0 = L.MulAdd(L.Load(sp), wv, a0);
                a1 = L.MulAdd(L.Load(sp + srcPix), wv, a1);
                a2 = L.MulAdd(L.Load(sp + 2 * srcPix), wv, a2);
                a3 = L.MulAdd(L.Load(sp + 3 * srcPix), wv, a3);
            }
        }
        L.Store(dst, a0);
        L.Store(dst + dstPix, a1);
        L.Store(dst + 2 * dstPix, a2);
        L.Store(dst + 3 * dstPix, a3);
    }

    /// <summary>dst[ch] = Σ_rows Σ_taps src[ch] · w[ch], walking src and w by their own row and tap
    /// steps. Forward walks the input forwards; the input gradient walks dy backwards while the
    /// kernel walks forwards by the stride. Channel blocks go two at a time so two FMA chains are
    /// in flight (one chain waits on FMA latency at every tap; four measured slower on this Zen 3);
    /// a partial last block is recomputed overlapping the previous one, which is harmless
    /// because dst is overwritten with the same value. Used for border pixels and small images.</summary>
    private static unsafe void GatherPixel<L, TV>(float* src, nint srcRow, nint srcTap, float* w, nint wRow, nint wTap,
        int rows, int taps, float* dst, int c)
        where L : struct, ILanes<TV> where TV : struct
    {
        int cb = 0;
        for (; cb + 2 * L.Count <= c; cb += 2 * L.Count)
        {
            TV a0 = L.Zero, a1 = L.Zero;
            float* sr = src + cb, wr = w + cb;
            for (int r = 0; r < rows; r++, sr += srcRow, wr += wRow)
            {
                float* sp = sr, wp = wr;
                for (int t = 0; t < taps; t++, sp += srcTap, wp += wTap)
                {
                    a0 = L.MulAdd(L.Load(sp), L.Load(wp), a0);
                    a1 = L.MulAdd(L.Load(sp + L.Count), L.Load(wp + L.Count), a1);
                }
            }
            L.Store(dst + cb, a0);
            L.Store(dst + cb + L.Count, a1);
        }
        if (cb + L.Count <= c)
        {
            L.Store(dst + cb, GatherSum<L, TV>(src + cb, srcRow, srcTap, w + cb, wRow, wTap, rows, taps));
            cb += L.Count;
        }
        if (cb < c)
        {
            cb = c - L.Count;
            L.Store(dst + cb, GatherSum<L, TV>(src + cb, srcRow, srcTap, w + cb, wRow, wTap, rows, taps));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe TV GatherSum<L, TV>(float* src, nint srcRow, nint srcTap, float* w, nint wRow, nint wTap, int rows, int taps)
        where L : struct, ILanes<TV> where TV : struct
    {
        TV acc = L.Zero;
        for (int r = 0; r < rows; r++, src += srcRow, w += wRow)
        {
            float* sp = src, wp = w;
            for (int t = 0; t < taps; t++, sp += srcTap, wp += wTap)
                acc = L.MulAdd(L.Load(sp), L.Load(wp), acc);
        }
        return acc;
    }
}
