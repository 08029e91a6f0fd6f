namespace Dnas.Report.Svg;

/// <summary>One axis tick: its data value and its label.</summary>
public readonly record struct Tick(double Value, string Label);

/// <summary>The ticks of one axis and the unit text that belongs in the axis title ("" when the
/// labels carry their own units, as on log axes).</summary>
public sealed record AxisTicks(IReadOnlyList<Tick> Ticks, string UnitText);

/// <summary>"Nice" tick generation: 1-2-5 steps on linear axes, decades (or powers of two for
/// bytes) on log axes.</summary>
public static class TickGenerator
{
    private static readonly int[] Mantissas = [1, 2, 5];

    /// <summary>Ticks in [min, max] (data units) aiming at about <paramref name="target"/> ticks.
    /// The display scale (e.g. KB) is chosen once for the axis.</summary>
    public static AxisTicks Linear(double min, double max, AxisUnit unit, int target = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) throw new ArgumentException("Axis range must be finite.");
        if (min > max) (min, max) = (max, min);
        (min, max) = Expand(min, max);
        target = Math.Max(2, target);
        var (div, unitText) = unit.ScaleFor(Math.Max(Math.Abs(min), Math.Abs(max)));
        double a = min / div, b = max / div;
        var (step, decimals) = NiceStep(a, b, target);
        long first = (long)Math.Ceiling(a / step - 1e-9), last = (long)Math.Floor(b / step + 1e-9);
        bool compact = unit.IsBareNumber && Math.Max(Math.Abs(min), Math.Abs(max)) >= 1e4;
        var ticks = new List<Tick>();
        for (long k = first; k <= last; k++)
        {
            double shown = Math.Round(k * step, Math.Min(decimals, 15));
            ticks.Add(new Tick(shown * div, compact ? unit.FormatValue(shown, 6) : AxisUnit.Fixed(shown, decimals)));
        }
        return new AxisTicks(ticks, unitText);
    }

    /// <summary>The 1-2-5 step whose tick count in [a, b] is closest to <paramref name="target"/>
    /// (ties go to the finer step), and the decimals its labels need.</summary>
    public static (double Step, int Decimals) NiceStep(double a, double b, int target)
    {
        double range = b - a;
        if (!(range > 0)) range = Math.Max(Math.Abs(a), 1);
        int e0 = (int)Math.Floor(Math.Log10(range / Math.Max(1, target)));
        double bestStep = 1;
        int bestDecimals = 0, bestScore = int.MaxValue;
        for (int e = e0 - 1; e <= e0 + 1; e++)
        {
            foreach (int m in Mantissas)
            {
                double step = m * Math.Pow(10, e);
                double count = Math.Floor(b / step + 1e-9) - Math.Ceiling(a / step - 1e-9) + 1;
                int score = (int)Math.Min(int.MaxValue / 2, Math.Abs(count - target) * 2 + (count < 2 ? 100 : 0));
                if (score < bestScore)
                {
                    bestScore = score;
                    bestStep = step;
                    bestDecimals = Math.Max(0, -e);
                }
            }
        }
        return (bestStep, bestDecimals);
    }

    /// <summary>Ticks for a log axis over [min, max] (both positive): decades, with 2× and 5× added
    /// when the range spans few decades, thinned to at most <paramref name="maxCount"/>. Bytes use
    /// powers of two (1 KB, 4 KB, 16 KB, ...). Each label carries its own unit.</summary>
    public static AxisTicks Log(double min, double max, AxisUnit unit, int maxCount = 8)
    {
        if (!(min > 0) || !(max > 0) || !double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException("A log axis needs a finite positive range.");
        if (min > max) (min, max) = (max, min);
        if (min == max) { min /= 2; max *= 2; }
        maxCount = Math.Max(2, maxCount);
        var values = new List<double>();
        if (unit.IsBytes)
        {
            double lo = Math.Log2(min), hi = Math.Log2(max);
            for (int s = 1; s <= 64; s++)
            {
                values.Clear();
                for (long e = (long)Math.Ceiling(lo / s - 1e-9) * s; e <= hi + 1e-9; e += s) values.Add(Math.Pow(2, e));
                if (values.Count <= maxCount) break;
            }
        }
        else
        {
            double lo = Math.Log10(min), hi = Math.Log10(max);
            int d0 = (int)Math.Ceiling(lo - 1e-9), d1 = (int)Math.Floor(hi + 1e-9);
            int decades = d1 - d0 + 1;
            if (decades <= 3)
            {
                for (int d = d0 - 1; d <= d1; d++)
                    foreach (int m in Mantissas)
                    {
                        double v = m * Math.Pow(10, d);
                        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) values.Add(v);
                    }
                if (values.Count > maxCount) values.RemoveAll(v => !IsDecade(v));
            }
            else
            {
                int s = (int)Math.Ceiling(decades / (double)maxCount);
                for (int d = (int)Math.Ceiling(d0 / (double)s) * s; d <= d1; d += s) values.Add(Math.Pow(10, d));
            }
        }
        if (values.Count < 2)
        {
            // A narrow range inside one step: fall back to linear 1-2-5 ticks, labelled per tick.
            var linear = Linear(min, max, AxisUnit.None, 4);
            values = linear.Ticks.Select(t => t.Value).Where(v => v > 0).ToList();
        }
        return new AxisTicks(values.Select(v => new Tick(v, unit.FormatValue(v))).ToList(), "");
    }

    /// <summary>A zero-width range widened so it can be drawn: ±10% of the value, or ±1 around 0.</summary>
    public static (double Min, double Max) Expand(double min, double max)
    {
        if (max > min) return (min, max);
        double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
        return (min - pad, max + pad);
    }

    private static bool IsDecade(double v)
    {
        double l = Math.Log10(v);
        return Math.Abs(l - Math.Round(l)) < 1e-9;
    }
}
