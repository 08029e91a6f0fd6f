using System.Globalization;
using System.Text;

namespace Dnas.Report.Svg;

/// <summary>Small helpers for writing SVG text: invariant numbers, XML escaping, text width guesses.</summary>
internal static class SvgText
{
    /// <summary>A coordinate with at most two decimals, invariant culture, never "-0".</summary>
    public static string N(double v) => AxisUnit.Fixed(Math.Round(v, 2, MidpointRounding.AwayFromZero), 2);

    /// <summary>Text escaped for element content and attribute values. Characters XML 1.0 does not
    /// allow are dropped.</summary>
    public static string Escape(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var sb = new StringBuilder(s.Length + 8);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsSurrogate(c))
            {
                // Keep only well-formed pairs: a lone surrogate cannot be written as XML.
                if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) sb.Append(c).Append(s[++i]);
                continue;
            }
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                case '\t' or '\n' or '\r': sb.Append(' '); break;
                default:
                    if (c >= 0x20 && c != '\uFFFE' && c != '\uFFFF') sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A rough width in pixels of <paramref name="s"/> in a sans-serif font: wide enough for
    /// layout (labels must not overlap), not exact.</summary>
    public static double TextWidth(string s, double fontSize)
    {
        double w = 0;
        foreach (char c in s)
        {
            w += c switch
            {
                'i' or 'l' or 'j' or '.' or ',' or ':' or ';' or '\'' or '|' or '!' or ' ' => 0.32,
                'm' or 'w' or 'M' or 'W' => 0.88,
                >= 'A' and <= 'Z' => 0.68,
                _ => 0.58,
            };
        }
        return w * fontSize;
    }

    public static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
