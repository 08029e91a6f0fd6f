using System.Runtime.Intrinsics;

namespace Dnas.Engine.Kernels;

public static partial class Depthwise
{
    // Output rows' worth of dZ per band: about 256 KB, so a band is still in L2 when the weight
    // gradient and the input gradient read it back.
    private const int BandFloats = 64 * 1024;

    /// <summary>
    /// The backward pass of depthwise conv + batch norm (+ReLU6) in one sweep over bands of
    /// output rows. Unfused it is four sweeps over memory: dZ written by the batch-norm
    /// gradient, then read by the weight gradient and again by the input gradient. Here every
    /// thread takes a contiguous range of output rows and, band by band, forms dZ (in place in
    /// <paramref name="dy"/>), adds the band's weight gradient, and writes every input-gradient
    /// row whose taps all lie in rows it has finished, while the band is still in cache. Input
    /// rows whose taps straddle two threads' ranges are done after the join.
    ///
    /// The same parts, row order and gather as <see cref="BackwardWeight"/> and
    /// <see cref="BackwardInput"/>: the results are bit-identical to the unfused calls.
    /// </summary>
    /// <param name="dy">[N,OH,OW,C] output gradient; overwritten with dZ.</param>
    /// <param name="z">[N,OH,OW,C] the conv output before batch norm.</param>
    /// <param name="scaleShift">The forward's BN scale/shift [2C] (for the ReLU6 mask).</param>
    /// <param name="coef">[3C] from <see cref="BatchNorm.BackwardCoefficients"/>.</param>
    /// <param name="dw">[K,K,C] weight gradient, overwritten.</param>
    /// <param name="dx">[N,H,W,C] input gradient, overwritten; empty to skip it.</param>
    /// <param name="xMap">Empty, or the batch-norm map [a(C), b(C)] x is read through (see the mapped <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, int, int, int, ReadOnlySpan{float}, bool)"/>).</param>
    public static unsafe void BackwardFused(Span<float> dy, ReadOnlySpan<float> z, ReadOnlySpan<float> scaleShift, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> coef, bool relu6, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> dw, Span<float> dx,
        int n, int h, int wd, int c, int k, int stride, ReadOnlySpan<float> xMap = default, bool xRelu6 = false,
        BatchNormGradSumsRequest dxSums = default)
    {
        var g = new Geometry(n, h, wd, c, k, stride);
        Shape.Require("depthwise fused backward dy", dy.Length, g.OutputSize);
        Shape.Require("depthwise fused backward z", z.Length, g.OutputSize);
        Shape.Require("depthwise fused backward scale/shift", scaleShift.Length, 2L * c);
        Shape.Require("depthwise fused backward mean", mean.Length, c);
        Shape.Require("depthwise fused backward coefficients", coef.Length, 3L * c);
        Shape.Require("depthwise fused backward x", x.Length, g.InputSize);
        Shape.Require("depthwise fused backward weights", w.Length, g.WeightSize);
        Shape.Require("depthwise fused backward dw", dw.Length, g.WeightSize);
        if (!dx.IsEmpty) Shape.Require("depthwise fused backward dx", dx.Length, g.InputSize);
        if (!xMap.IsEmpty) Shape.Require("depthwise fused backward input map", xMap.Length, 2L * c);
        if (!dxSums.IsEmpty && dx.IsEmpty) throw new ArgumentException("depthwise fused backward: gradient sums need dX");
        dxSums.Check("depthwise fused backward dX", g.InputSize);
        int kkc = k * k * c;
        if (g.OutputSize == 0)
        {
            dw[..kkc].Clear();
            if (!dx.IsEmpty) dx[..checked((int)g.InputSize)].Clear();
            return;
        }
        int rows = n * g.Oh;
        int parts = Math.Min(Workers.Threads, Math.Max(1, rows / MinRows((long)g.Ow * c * k * k))); // as BackwardWeight
        // Aligned scratch: the weights (read at every tap of dX) and every part's weight gradient,
        // part 0 first, each on whole cache lines. Added into dw in part order afterwards.
        long partStride = Lines(kkc);
        float* wa = WeightScratch(partStride * (1 + parts));
        float* ps = wa + partStride;
        fixed (float* pdy = dy, pz = z, pss = scaleShift, pm = mean, pc = coef, px = x, pw = w, pdw = dw, pdx = dx, pxm = xMap)
        fixed (float* sz = dxSums.Z, sMask = dxSums.Mask, sMean = dxSums.Mean)
        fixed (double* sp = dxSums.Partials)
        {
            var op = new FusedBackwardOp
            {
                Weight = new BackwardWeightOp { G = g, Dy = pdy, X = px, Dw = ps, Partials = ps + partStride, PartialStride = (nint)partStride, Parts = parts, Rows = rows, Lanes = LanesFor(c) },
                Input = new BackwardInputOp { G = g, Dy = pdy, W = wa, Dx = dx.IsEmpty ? null : pdx, Lanes = LanesFor(c) },
                Z = pz, ScaleShift = pss, Mean = pm, Coef = pc, Relu6 = relu6,
                Band = Math.Max(1, BandFloats / Math.Max(1, g.Ow * c)),
                Map = new InputMap(xMap.IsEmpty ? null : pxm, xRelu6),
                DxSums = new BatchNormGradSums(sz, dxSums.Mask.IsEmpty ? null : sMask, sMean, sp, dxSums.C),
            };
            new ReadOnlySpan<float>(pw, kkc).CopyTo(new Span<float>(wa, kkc));
            Workers.For(parts, in op, 1);
            new ReadOnlySpan<float>(ps, kkc).CopyTo(new Span<float>(pdw, kkc));
            for (int p = 1; p < parts; p++)
                AddInto(pdw, ps + p * partStride, kkc);
            // Input rows between two parts' own ranges read dZ rows of both parts.
            if (!dx.IsEmpty)
                for (int p = 0; p + 1 < parts; p++)
                {
                    int from = op.OwnedInputEnd(p), to = op.OwnedInputStart(p + 1);
                    if (to > from) op.Input.Run(from, to);
                    if (to > from) op.AddSums(from, to, parts);
                }
        }
    }

    private unsafe struct FusedBackwardOp : IRangeOp
    {
        public BackwardWeightOp Weight;
        public BackwardInputOp Input;
        public float* Z, ScaleShift, Mean, Coef;
        public bool Relu6;
        public int Band;
        public InputMap Map;
        public BatchNormGradSums DxSums;

        /// <summary>The previous layer's batch-norm sums over input-gradient rows [from, to) (flattened [N·H]).</summary>
        public readonly void AddSums(int from, int to, int slot)
        {
            if (DxSums.IsEmpty) return;
            Geometry g = Weight.G;
            DxSums.Add(Input.Dx + (nint)from * g.W * g.C, (long)from * g.W, (to - from) * g.W, slot);
        }

        private readonly int OutputRow(int part) => (int)((long)Weight.Rows * part / Weight.Parts);

        /// <summary>The output rows (flattened [N·OH]) input row <paramref name="r"/> (flattened
        /// [N·H]) gathers from: [lo, hi]. Both are non-decreasing in r.</summary>
        private readonly (int Lo, int Hi) Taps(int r)
        {
            Geometry g = Weight.G;
            int b = r / g.H, a = r - b * g.H + g.Pt;
            int hi = Math.Min(g.Oh - 1, a / g.S);
            int lo = a - g.K + 1 <= 0 ? 0 : (a - g.K + 1 + g.S - 1) / g.S;
            lo = Math.Min(lo, hi); // a row no tap reaches (its gradient is zero) depends on nothing
            return (b * g.Oh + lo, b * g.Oh + hi);
        }

        /// <summary>First input row whose taps all lie at or after part <paramref name="part"/>'s first output row.</summary>
        public readonly int OwnedInputStart(int part)
        {
            return FirstRow(byHi: false, OutputRow(part));
        }

        /// <summary>One past the last input row whose taps all lie before part <paramref name="part"/>'s end.</summary>
        public readonly int OwnedInputEnd(int part)
        {
            // A row before the part's start can reach past its end (a part thinner than the
            // kernel): the part then owns nothing and the gap after the previous part has it.
            return Math.Max(OwnedInputStart(part), FirstRow(byHi: true, OutputRow(part + 1)));
        }

        /// <summary>The first input row (flattened [N·H]) whose first (or, <paramref name="byHi"/>,
        /// last) tap row is at least <paramref name="bound"/>, or N·H: a binary search, since both
        /// are non-decreasing in the row.</summary>
        private readonly int FirstRow(bool byHi, int bound)
        {
            int lo = 0, hi = Weight.G.N * Weight.G.H;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                var (tapLo, tapHi) = Taps(mid);
                if ((byHi ? tapHi : tapLo) >= bound) hi = mid; else lo = mid + 1;
            }
            return lo;
        }

        public readonly void Run(int start, int end)
        {
            if (Map.IsIdentity)
            {
                Parts(start, end, null);
                return;
            }
            Parts(start, end, Stage(in Weight.G));
        }

        // Bands are the same rows with or without an input map, except that mapped bands also stop
        // at image ends and at the stage size. Band edges do not change any result: the weight
        // gradient is added row by row and every dZ and dX row is computed on its own.
        private readonly void Parts(int start, int end, float* stage)
        {
            Geometry g = Weight.G;
            int kkc = g.K * g.K * g.C;
            nint rowFloats = (nint)g.Ow * g.C;
            int band = stage == null ? Band : Math.Min(Band, StagedBand(in g));
            var weight = Weight;
            for (int p = start; p < end; p++)
            {
                float* acc = p == 0 ? Weight.Dw : Weight.Partials + (p - 1) * Weight.PartialStride;
                new Span<float>(acc, kkc).Clear();
                int r0 = OutputRow(p), r1 = OutputRow(p + 1);
                int next = OwnedInputStart(p), last = OwnedInputEnd(p);
                for (int b0 = r0, b1; b0 < r1; b0 = b1)
                {
                    b1 = stage == null ? Math.Min(r1, b0 + band) : BandEnd(in g, b0, band, r1);
                    float* dz = Weight.Dy + b0 * rowFloats;
                    BatchNorm.ApplyGradientRows(Weight.Dy, Z, ScaleShift, Mean, Coef, dz, b0 * g.Ow, b1 * g.Ow, g.C, Relu6);
                    if (stage != null) weight.X = StageInput(in g, Weight.X, in Map, b0, b1, stage);
                    switch (Weight.Lanes)
                    {
                        case 16: BackwardWeightRows<Lanes512, Vector512<float>>(in weight, acc, b0, b1); break;
                        case 8: BackwardWeightRows<Lanes256, Vector256<float>>(in weight, acc, b0, b1); break;
                        case 4: BackwardWeightRows<Lanes128, Vector128<float>>(in weight, acc, b0, b1); break;
                        default: BackwardWeightRows<Lanes1, float>(in weight, acc, b0, b1); break;
                    }
                    if (Input.Dx == null) continue;
                    int from = next;
                    while (next < last && Taps(next).Hi < b1) next++;
                    if (next > from)
                    {
                        Input.Run(from, next);
                        AddSums(from, next, p); // while these dX rows are in cache
                    }
                }
            }
        }
    }
}
