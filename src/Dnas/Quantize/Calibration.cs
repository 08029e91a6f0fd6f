using Dnas.Config;
using Dnas.Engine;

namespace Dnas.Quantize;

/// <summary>A calibrated real range of one tensor. Always contains 0 (so the zero point can
/// represent 0 exactly: zero padding and ReLU's 0 are then exact).</summary>
public readonly record struct TensorRange(float Min, float Max)
{
    public static TensorRange Including0(float min, float max) => new(Math.Min(min, 0f), Math.Max(max, 0f));
}

/// <summary>Measures every tensor's range over calibration batches run through the folded float
/// graph. Min/max takes one pass; percentile takes a second pass that histograms each tensor
/// over its min/max range (<see cref="Bins"/> bins) and reads the percentile off the histogram.</summary>
public static class Calibration
{
    public const int Bins = 2048;

    public static TensorRange[] Collect(FoldedGraph model, IReadOnlyList<Tensor> batches, QuantizeConfig settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(settings);
        if (batches.Count == 0) throw new ArgumentException("calibration needs at least one batch of images", nameof(batches));
        int count = model.Graph.Tensors.Count;
        var min = new float[count];
        var max = new float[count];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        var forward = new FloatForward(model);
        foreach (var batch in batches)
        {
            forward.Run(batch);
            for (int t = 0; t < count; t++)
                foreach (float v in forward[t].Span)
                {
                    if (!float.IsFinite(v))
                        throw new InvalidDataException($"calibration: tensor '{model.Graph.Tensors[t].Name}' has a non-finite value; the weights are broken, fine-tune again");
                    if (v < min[t]) min[t] = v;
                    if (v > max[t]) max[t] = v;
                }
        }
        var ranges = new TensorRange[count];
        for (int t = 0; t < count; t++) ranges[t] = TensorRange.Including0(min[t], max[t]);
        if (settings.Ranges == RangeMethod.MinMax) return ranges;

        if (!(settings.Percentile > 50 && settings.Percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(settings), $"percentile must be in (50, 100], got {settings.Percentile}");
        var hist = new long[count][];
        for (int t = 0; t < count; t++) hist[t] = new long[Bins];
        foreach (var batch in batches)
        {
            forward.Run(batch);
            for (int t = 0; t < count; t++)
            {
                var h = hist[t];
                float lo = min[t], width = (max[t] - min[t]) / Bins;
                foreach (float v in forward[t].Span)
                    h[width > 0 ? Math.Clamp((int)((v - lo) / width), 0, Bins - 1) : 0]++;
            }
        }
        for (int t = 0; t < count; t++)
        {
            var (lo, hi) = PercentileRange(hist[t], min[t], max[t], settings.Percentile);
            ranges[t] = TensorRange.Including0(lo, hi);
        }
        return ranges;
    }

    /// <summary>The values below which (100 − p)% and above which (100 − p)% of the histogrammed
    /// values lie, as bin edges (the low edge of the low bin, the high edge of the high bin).</summary>
    internal static (float Lo, float Hi) PercentileRange(long[] hist, float min, float max, double p)
    {
        long total = 0;
        foreach (long c in hist) total += c;
        if (total == 0 || !(max > min)) return (min, max);
        double tail = total * (100 - p) / 100;
        float width = (max - min) / hist.Length;
        int low = 0;
        for (long seen = 0; low < hist.Length - 1; low++)
        {
            if (seen + hist[low] > tail) break;
            seen += hist[low];
        }
        int high = hist.Length - 1;
        for (long seen = 0; high > 0; high--)
        {
            if (seen + hist[high] > tail) break;
            seen += hist[high];
        }
        return (min + low * width, high == hist.Length - 1 ? max : min + (high + 1) * width);
    }
}
