using System.Globalization;
using System.Text;

namespace Dnas.Bench;

/// <summary>Small helpers shared by the benchmarks: peak resident memory and a JSON line writer.</summary>
public static class Report
{
    /// <summary>Peak resident set size of this process in MiB (VmHWM in /proc/self/status),
    /// or -1 where that file does not exist.</summary>
    public static double PeakRssMb()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return -1;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries); // "VmHWM:", "123456", "kB"
            if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                return kb / 1024.0;
        }
        return -1;
    }

    /// <summary>One JSON object on one line from (key, value) pairs; values are strings, integers or
    /// doubles (written with <paramref name="digits"/> decimals).</summary>
    public static string JsonLine(IEnumerable<(string Key, object Value)> fields, int digits = 2)
    {
        var sb = new StringBuilder("{");
        bool first = true;
        foreach (var (key, value) in fields)
        {
            if (!first) sb.Append(", ");
            first = false;
            sb.Append('"').Append(key).Append("\": ");
            switch (value)
            {
                case string s: sb.Append('"').Append(s.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"'); break;
                case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
                case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d when double.IsFinite(d): sb.Append(d.ToString("F" + digits, CultureInfo.InvariantCulture)); break;
                case double: sb.Append("null"); break;
                default: throw new ArgumentException($"unsupported JSON value for {key}: {value}");
            }
        }
        return sb.Append('}').ToString();
    }
}
