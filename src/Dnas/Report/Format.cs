using System.Globalization;

namespace Dnas.Report;

/// <summary>How the report writes figures: invariant culture, units a reader expects.</summary>
internal static class Format
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Kb(double bytes) => (bytes / 1024).ToString("0.#", Inv) + " KB";

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.##" : "0.#", Inv) + " ms";

    public static string Pct(double fraction) => (fraction * 100).ToString("0.00", Inv) + " %";

    /// <summary>A count with SI prefixes: 12.3 M, 45.6 k.</summary>
    public static string Count(double n) =>
        n >= 1e9 ? (n / 1e9).ToString("0.##", Inv) + " G"
        : n >= 1e6 ? (n / 1e6).ToString("0.##", Inv) + " M"
        : n >= 1e4 ? (n / 1e3).ToString("0.#", Inv) + " k"
        : n.ToString("0", Inv);

    public static string Number(double v, string format = "0.##") => v.ToString(format, Inv);

    /// <summary>A candidate cost by its key.</summary>
    public static string Cost(string key, double v) => key switch
    {
        "sram" or "flash" => Kb(v),
        "latency_ms" => Ms(v),
        _ => Count(v),
    };

    /// <summary>"1 h 02 min", "3 min 05 s", "12.3 s".</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? string.Create(Inv, $"{(int)t.TotalHours} h {t.Minutes:00} min")
        : t.TotalMinutes >= 1 ? string.Create(Inv, $"{t.Minutes} min {t.Seconds:00} s")
        : t.TotalSeconds.ToString("0.0", Inv) + " s";

    /// <summary>Text safe inside a markdown table cell.</summary>
    public static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
