using System.Globalization;

namespace Dnas.Report.Svg;

/// <summary>How an axis formats its values. One display scale is chosen per linear axis (so the
/// tick labels are plain numbers and the scaled unit goes in the axis title, e.g. "Peak SRAM (KB)");
/// log axes label every tick with its own scale ("1 KB", "16 KB", "1 MB").</summary>
public sealed class AxisUnit
{
    private enum Kind { Plain, Bytes, Milliseconds, Si }

    private readonly Kind _kind;

    private AxisUnit(Kind kind, string symbol)
    {
        _kind = kind;
        Symbol = symbol;
    }

    /// <summary>The unit symbol (for <see cref="Plain"/> and <see cref="Si"/>).</summary>
    public string Symbol { get; }

    /// <summary>No unit: plain numbers.</summary>
    public static AxisUnit None { get; } = new(Kind.Plain, "");

    /// <summary>Bytes, scaled in powers of 1024 (B, KB, MB, GB).</summary>
    public static AxisUnit Bytes { get; } = new(Kind.Bytes, "B");

    /// <summary>Milliseconds; shown in µs below 1 ms and in s from 10 s.</summary>
    public static AxisUnit Milliseconds { get; } = new(Kind.Milliseconds, "ms");

    /// <summary>A fixed unit that is never rescaled, e.g. "%".</summary>
    public static AxisUnit Plain(string symbol) => new(Kind.Plain, symbol ?? "");

    /// <summary>A count scaled with decimal SI prefixes (k, M, G), e.g. Si("MAC") gives "MMAC".</summary>
    public static AxisUnit Si(string symbol = "") => new(Kind.Si, symbol ?? "");

    internal bool IsBytes => _kind == Kind.Bytes;

    /// <summary>No unit at all: large values get compact per-tick prefixes (200k, 1.5M) instead of a scale.</summary>
    internal bool IsBareNumber => _kind == Kind.Plain && Symbol.Length == 0;

    /// <summary>The display scale for values up to <paramref name="maxAbs"/>: the divisor and its
    /// unit text ("" when there is nothing to show).</summary>
    public (double Divisor, string Unit) ScaleFor(double maxAbs)
    {
        switch (_kind)
        {
            case Kind.Bytes:
                if (maxAbs >= 1024.0 * 1024 * 1024) return (1024.0 * 1024 * 1024, "GB");
                if (maxAbs >= 1024.0 * 1024) return (1024.0 * 1024, "MB");
                if (maxAbs >= 1024.0) return (1024.0, "KB");
                return (1, "B");
            case Kind.Milliseconds:
                if (maxAbs >= 10_000) return (1000, "s");
                if (maxAbs > 0 && maxAbs < 1) return (0.001, "µs");
                return (1, "ms");
            case Kind.Si:
                if (maxAbs >= 1e9) return (1e9, "G" + Symbol);
                if (maxAbs >= 1e6) return (1e6, "M" + Symbol);
                if (maxAbs >= 1e3) return (1e3, "k" + Symbol);
                return (1, Symbol);
            default:
                return (1, Symbol);
        }
    }

    /// <summary>One value with its own scale and the unit attached, e.g. "16 KB", "1.5M", "250 ms".
    /// Up to three significant digits.</summary>
    public string FormatValue(double value) => FormatValue(value, 3);

    /// <summary>As <see cref="FormatValue(double)"/> with up to <paramref name="digits"/> significant digits.</summary>
    public string FormatValue(double value, int digits)
    {
        var (div, unit) = ScaleFor(Math.Abs(value));
        if (_kind == Kind.Plain && Symbol.Length == 0)
        {
            // Plain numbers still get compact prefixes when large (1k, 10k, 1M), like a log axis needs.
            (div, unit) = Si().ScaleFor(Math.Abs(value));
        }
        string number = Significant(value / div, digits);
        if (unit.Length == 0) return number;
        bool glue = ((_kind == Kind.Si || _kind == Kind.Plain) && Symbol.Length == 0) || unit == "%";
        return glue ? number + unit : number + " " + unit;
    }

    /// <summary>A value rounded to a number of significant digits, without exponent or trailing zeros.</summary>
    internal static string Significant(double v, int digits)
    {
        if (v == 0 || !double.IsFinite(v)) return v == 0 ? "0" : v.ToString(CultureInfo.InvariantCulture);
        int mag = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        int decimals = Math.Clamp(digits - 1 - mag, 0, 12);
        double r = Math.Round(v, decimals, MidpointRounding.AwayFromZero);
        return Fixed(r, decimals);
    }

    /// <summary>Fixed-point text with at most <paramref name="decimals"/> decimals, trailing zeros
    /// trimmed, never "-0".</summary>
    internal static string Fixed(double v, int decimals)
    {
        string s = v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (s.Contains('.')) s = s.TrimEnd('0').TrimEnd('.');
        return s == "-0" ? "0" : s;
    }
}
