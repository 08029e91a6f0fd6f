using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

public static partial class Depthwise
{
    // dy [N,OH,OW,C], w [K,K,C] -> dx [N,H,W,C] (overwritten)
    public static unsafe void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int n, int h, int wd, int c, int k, int stride)
    {
        var g = new Geometry(n, h, wd, c, k, stride);
        Shape.Require("depthwise input gradient dy", dy.Length, g.OutputSize);
        Shape.Require("depthwise input gradient weights", w.Length, g.WeightSize);
        Shape.Require("depthwise input gradient dx", dx.Length, g.InputSize);
        if (g.InputSize == 0) return;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            var op = new BackwardInputOp { G = g, Dy = pdy, W = pw, Dx = pdx, Lanes = LanesFor(c) };
            // Each input pixel receives about K²/S² taps.
            Workers.For(n * h, in op, MinRows((long)wd * c * k * k / (stride * stride)));
        }
    }

    private unsafe struct BackwardInputOp : IRangeOp
    {
        public Geometry G;
        public float* Dy, W, Dx;
        public int Lanes;

        public readonly void Run(int start, int end)
        {
            switch (Lanes)
            {
                case 16: BackwardInputRows<Lanes512, Vector512<float>>(in this, start, end); break;
                case 8: BackwardInputRows<Lanes256, Vector256<float>>(in this, start, end); break;
                case 4: BackwardInputRows<Lanes128, Vector128<float>>(in this, start, end); break;
                default: BackwardInputRows<Lanes1, float>(in this, start, end); break;
            }
        }
    }

    /// <summary>Input rows [start, end) of the flattened [N*H] row index, as a gather:
    /// dx[iy,ix] = Σ dy[oy,ox] · w[ky,kx] over iy + pt = oy·s + ky, ix + pl = ox·s + kx.
    /// For a fixed input position the valid ky are congruent to iy + pt modulo s, and each
    /// step of s in ky is one step back in oy.</summary>
    private static unsafe void BackwardInputRows<L, TV>(in BackwardInputOp op, int start, int end)
        where L : struct, ILanes<TV> where TV : struct
    {
        Geometry g = op.G;
        int c = g.C, k = g.K, s = g.S, shift = s - 1; // s is 1 or 2
        nint dyRow = (nint)g.Ow * c, wRow = (nint)k * c;
        // Interior columns [ixA, ixB): every kx of the right residue maps to an ox inside the row.
        // Columns of one residue then share a tap pattern and step one ox apart, so they go through
        // the blocked strip kernel; the border columns get clipped tap ranges one at a time.
        int ixA = Math.Min(g.W, Math.Max(0, k - 1 - g.Pl));
        int ixB = Math.Max(ixA, Math.Min(g.W, (g.Ow - 1) * s - g.Pl + 1));
        for (int r = start; r < end; r++)
        {
            int b = r / g.H, iy = r - b * g.H;
            TapRange(iy + g.Pt, g.Oh, k, s, shift, out int kyLo, out int rows, out int oy0);
            float* dyr = op.Dy + ((nint)b * g.Oh + oy0) * dyRow;
            float* wr = op.W + kyLo * wRow;
            float* dxr = op.Dx + (nint)r * g.W * c;
            for (int ix = 0; ix < g.W; ix++)
            {
                if (ix == ixA)
                {
                    for (int q = 0; q < s && ixA + q < ixB; q++)
                    {
                        int first = (ixA + q + g.Pl) & shift;          // first kx of this residue
                        int taps = (k - first + shift) >> shift;
                        int ox0 = (ixA + q + g.Pl - first) >> shift;
                        int count = (ixB - (ixA + q) + shift) >> shift;
                        GatherStrip<L, TV>(dyr + (nint)ox0 * c, c, -dyRow, -c, wr + (nint)first * c, s * wRow, s * c,
                            rows, taps, dxr + (nint)(ixA + q) * c, (nint)s * c, count, c);
                    }
                    ix = ixB;
                    if (ix == g.W) break;
                }
                TapRange(ix + g.Pl, g.Ow, k, s, shift, out int kxLo, out int tapsHere, out int oxFirst);
                GatherPixel<L, TV>(dyr + (nint)oxFirst * c, -dyRow, -c, wr + (nint)kxLo * c, s * wRow, s * c,
                    rows, tapsHere, dxr + (nint)ix * c, c);
            }
        }
    }

    /// <summary>Kernel taps q in [0,k) with a = o·s + q for some output o in [0,outs):
    /// the first such q, how many (stepping q by s), and the output o for the first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TapRange(int a, int outs, int k, int s, int shift, out int first, out int count, out int o0)
    {
        int lo = Math.Max(0, a - (outs - 1) * s);
        lo += (a - lo) & shift;                    // round up to the right residue (a - lo >= 0 here)
        int hi = Math.Min(k - 1, a);
        first = lo;
        count = hi >= lo ? ((hi - lo) >> shift) + 1 : 0;
        o0 = (a - lo) >> shift;
    }

    // dy [N,OH,OW,C], x [N,H,W,C] -> dw [K,K,C] (overwritten)
    public static unsafe void BackwardWeight(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw, int n, int h, int wd, int c, int k, int stride)
    {
        var g = new Geometry(n, h, wd, c, k, stride);
        Shape.Require("depthwise weight gradient dy", dy.Length, g.OutputSize);
        Shape.Require("depthwise weight gradient x", x.Length, g.InputSize);
        Shape.Require("depthwise weight gradient dw", dw.Length, g.WeightSize);
        int kkc = k * k * c;
        if (g.OutputSize == 0)
        {
            dw[..kkc].Clear();
            return;
        }
        // The sum runs over all N·OH·OW output pixels. Split those rows into a number of parts
        // that depends only on the shape and the thread count, give each part its own partial
        // dw (part 0 uses dw itself), and add the partials in part order: the same bits every run.
        int rows = n * g.Oh;
        int parts = Math.Min(Workers.Threads, Math.Max(1, rows / MinRows((long)g.Ow * c * k * k)));
        float[] scratch = Scratch((long)(parts - 1) * kkc);
        fixed (float* pdy = dy, px = x, pdw = dw, ps = scratch)
        {
            var op = new BackwardWeightOp
            {
                G = g, Dy = pdy, X = px, Dw = pdw, Partials = ps, PartialStride = kkc, Parts = parts, Rows = rows, Lanes = LanesFor(c),
            };
            Workers.For(parts, in op, 1);
            for (int p = 1; p < parts; p++)
                AddInto(pdw, ps + (nint)(p - 1) * kkc, kkc);
        }
    }

    [ThreadStatic] private static float[]? _scratch;

    /// <summary>Grow-only per-calling-thread buffer for the partial weight gradients, so steady-state
    /// training allocates nothing here.</summary>
    private static float[] Scratch(long length)
    {
        if (length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(length), "depthwise: weight-gradient partials too large");
        var s = _scratch;
        if (s == null || s.Length < length) _scratch = s = new float[Math.Max(length, 1)];
        return s;
    }

    // dst += src, element by element (so the vector width cannot change the result).
    private static unsafe void AddInto(float* dst, float* src, int length)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
                (Vector256.Load(dst + i) + Vector256.Load(src + i)).Store(dst + i);
        for (; i < length; i++) dst[i] += src[i];
    }

    private unsafe struct BackwardWeightOp : IRangeOp
    {
        public Geometry G;
        public float* Dy, X, Dw, Partials;
        public nint PartialStride;
        public int Parts, Rows, Lanes;

        public readonly void Run(int start, int end)
        {
            int kkc = G.K * G.K * G.C;
            for (int p = start; p < end; p++)
            {
                float* acc = p == 0 ? Dw : Partials + (p - 1) * PartialStride;
                new Span<float>(acc, kkc).Clear();
                int r0 = (int)((long)Rows * p / Parts), r1 = (int)((long)Rows * (p + 1) / Parts);
                switch (Lanes)
                {
                    case 16: BackwardWeightRows<Lanes512, Vector512<float>>(in this, acc, r0, r1); break;
                    case 8: BackwardWeightRows<Lanes256, Vector256<float>>(in this, acc, r0, r1); break;
                    case 4: BackwardWeightRows<Lanes128, Vector128<float>>(in this, acc, r0, r1); break;
                    default: BackwardWeightRows<Lanes1, float>(in this, acc, r0, r1); break;
                }
            }
        }
    }

    /// <summary>Adds the weight gradient of output rows [r0, r1) (flattened [N*OH]) into acc [K,K,C].
    /// For each tap and channel block the row's contribution is summed in registers over ox,
    /// then added to acc once.</summary>
    private static unsafe void BackwardWeightRows<L, TV>(in BackwardWeightOp op, float* acc, int r0, int r1)
        where L : struct, ILanes<TV> where TV : struct
    {
        Geometry g = op.G;
        int c = g.C, k = g.K, s = g.S, shift = s - 1;
        nint xRow = (nint)g.W * c;
        nint xStep = (nint)s * c;
        for (int r = r0; r < r1; r++)
        {
            int b = r / g.Oh, oy = r - b * g.Oh;
            int iy0 = oy * s - g.Pt;
            int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(k, g.H - iy0);
            float* dyr = op.Dy + (nint)r * g.Ow * c;
            for (int ky = kyLo; ky < kyHi; ky++)
            {
                float* xr = op.X + ((nint)b * g.H + iy0 + ky) * xRow;
                for (int kx = 0; kx < k; kx++)
                {
                    // Outputs ox whose input column ox·s - pl + kx lies inside the row.
                    int lo = g.Pl - kx, hi = g.W - 1 + g.Pl - kx;
                    if (hi < 0) continue;
                    int oxLo = lo <= 0 ? 0 : (lo + shift) >> shift;
                    int oxHi = Math.Min(g.Ow - 1, hi >> shift);
                    int count = oxHi - oxLo + 1;
                    if (count <= 0) continue;
                    float* dyp = dyr + (nint)oxLo * c;
                    float* xp = xr + ((nint)oxLo * s - g.Pl + kx) * c;
                    float* ap = acc + (nint)(ky * k + kx) * c;
                    int cb = 0;
                    for (; cb + 2 * L.Count <= c; cb += 2 * L.Count)
                        RowDot2Blocks<L, TV>(dyp + cb, c, xp + cb, xStep, count, ap + cb);
                    if (cb + L.Count <= c)
                    {
                        L.Store(ap + cb, L.Add(L.Load(ap + cb), RowDot<L, TV>(dyp + cb, c, xp + cb, xStep, count)));
                        cb += L.Count;
                    }
                    if (cb < c)
                    {
                        // Overlapping tail block: drop the lanes the loop above already added.
                        int o = c - L.Count;
                        TV t = L.KeepFrom(RowDot<L, TV>(dyp + o, c, xp + o, xStep, count), cb - o);
                        L.Store(ap + o, L.Add(L.Load(ap + o), t));
                    }
                }
            }
        }
    }

    /// <summary>acc[j] += Σ_i a[i·aStep + j] · b[i·bStep + j] for two neighbouring channel blocks, with
    /// even and odd pixels in separate sums: four independent FMA chains, so the loop is not stuck
    /// waiting on FMA latency. Fixed pairing order keeps the result deterministic.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void RowDot2Blocks<L, TV>(float* a, nint aStep, float* b, nint bStep, int count, float* acc)
        where L : struct, ILanes<TV> where TV : struct
    {
        TV s0 = L.Zero, s1 = L.Zero, s2 = L.Zero, s3 = L.Zero;
        int i = 0;
        for (; i + 2 <= count; i += 2, a += 2 * aStep, b += 2 * bStep)
        {
            s0 = L.MulAdd(L.Load(a), L.Load(b), s0);
            s1 = L.MulAdd(L.Load(a + L.Count), L.Load(b + L.Count), s1);
            s2 = L.MulAdd(L.Load(a + aStep), L.Load(b + bStep), s2);
            s3 = L.MulAdd(L.Load(a + aStep + L.Count), L.Load(b + bStep + L.Count), s3);
        }
        if (i < count)
        {
            s0 = L.MulAdd(L.Load(a), L.Load(b), s0);
            s1 = L.MulAdd(L.Load(a + L.Count), L.Load(b + L.Count), s1);
        }
        L.Store(acc, L.Add(L.Load(acc), L.Add(s0, s2)));
        L.Store(acc + L.Count, L.Add(L.Load(acc + L.Count), L.Add(s1, s3)));
    }

    /// <summary>Σ_i a[i·aStep] · b[i·bStep] over count pixels for one channel block, in four
    /// independent sums for the same reason as <see cref="RowDot2Blocks{L, TV}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe TV RowDot<L, TV>(float* a, nint aStep, float* b, nint bStep, int count)
        where L : struct, ILanes<TV> where TV : struct
    {
        TV s0 = L.Zero, s1 = L.Zero, s2 = L.Zero, s3 = L.Zero;
        int i = 0;
        for (; i + 4 <= count; i += 4, a += 4 * aStep, b += 4 * bStep)
        {
            s0 = L.MulAdd(L.Load(a), L.Load(b), s0);
            s1 = L.MulAdd(L.Load(a + aStep), L.Load(b + bStep), s1);
            s2 = L.MulAdd(L.Load(a + 2 * aStep), L.Load(b + 2 * bStep), s2);
            s3 = L.MulAdd(L.Load(a + 3 * aStep), L.Load(b + 3 * bStep), s3);
        }
        for (; i < count; i++, a += aStep, b += bStep)
            s0 = L.MulAdd(L.Load(a), L.Load(b), s0);
        return L.Add(L.Add(s0, s1), L.Add(s2, s3));
    }
}
