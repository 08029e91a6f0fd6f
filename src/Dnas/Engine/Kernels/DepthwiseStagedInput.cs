namespace Dnas.Engine.Kernels;

public static partial class Depthwise
{
    // Mapped input rows one band may stage: about 192 KB, so they stay in L2 while the band's
    // taps read each of them up to K times.
    private const int StageFloats = 48 * 1024;

    /// <summary>
    /// Input read through a batch-norm map: the producing layer left its output as the pre-norm
    /// values Z plus the per-channel map y = a·z + b (clamped to [0, 6] with ReLU6), so the
    /// output is never written and read back in full. The depthwise kernels work in bands of
    /// output rows within one image; each band's input rows are mapped into a per-thread stage
    /// first and the unchanged kernels read the stage as if it were the input. The values are
    /// those <see cref="BatchNorm.AffineRows"/> gives, so results are bit-identical to mapping
    /// the whole input first.
    /// </summary>
    private readonly unsafe struct InputMap(float* scaleShift, bool relu6)
    {
        public readonly float* ScaleShift = scaleShift;
        public readonly bool Relu6 = relu6;
        public bool IsIdentity => ScaleShift == null;
    }

    /// <summary>Output rows per staged band: as many as keep the band's input rows within the stage (at least one).</summary>
    private static int StagedBand(in Geometry g)
    {
        int inRows = StageFloats / Math.Max(1, g.W * g.C);
        return Math.Max(1, (inRows - g.K) / g.S + 1);
    }

    /// <summary>The end of the band that starts at output row <paramref name="r0"/> (flattened [N·OH]):
    /// at most <paramref name="band"/> rows, before <paramref name="end"/>, and inside one image.</summary>
    private static int BandEnd(in Geometry g, int r0, int band, int end) =>
        Math.Min(end, Math.Min(r0 + band, (r0 / g.Oh + 1) * g.Oh));

    /// <summary>Maps the input rows output rows [r0, r1) of one image read into the stage and
    /// returns the pointer that stands for the input (the stage shifted back by the first row).</summary>
    private static unsafe float* StageInput(in Geometry g, float* x, in InputMap map, int r0, int r1, float* stage)
    {
        int b = r0 / g.Oh, oy0 = r0 - b * g.Oh, oy1 = r1 - 1 - b * g.Oh;
        int first = Math.Max(0, oy0 * g.S - g.Pt), end = Math.Max(first, Math.Min(g.H, oy1 * g.S - g.Pt + g.K));
        nint rowFloats = (nint)g.W * g.C, firstRow = (nint)b * g.H + first;
        BatchNorm.AffineRows(x + firstRow * rowFloats, g.C, stage, g.C, (end - first) * g.W, g.C,
            map.ScaleShift, map.ScaleShift + g.C, map.Relu6);
        return stage - firstRow * rowFloats;
    }

    /// <summary>This thread's stage, large enough for any band of <paramref name="g"/>.</summary>
    private static unsafe float* Stage(in Geometry g) =>
        ThreadScratch.Get(ThreadScratch.Slot.DepthwiseStage, Math.Max(StageFloats, (long)g.K * g.W * g.C));

    /// <summary>Floats rounded up to whole 64-byte lines.</summary>
    private static long Lines(long floats) => (floats + 15) & ~15L;

    /// <summary>The calling thread's aligned scratch for the weights and the weight-gradient
    /// partials: parameter arrays carry no alignment, and a weight vector is loaded at every tap.</summary>
    private static unsafe float* WeightScratch(long floats) => ThreadScratch.Get(ThreadScratch.Slot.DepthwiseWeights, floats);
}
