using System.Globalization;
using System.Text;

namespace Dnas.Firmware;

/// <summary>C initializer text for constant arrays: values separated by ", ", a fixed number
/// per line, indented, so generated files diff well.</summary>
public static class CArrays
{
    public static string Values<T>(IReadOnlyList<T> values, int perLine = 16, string indent = "  ") where T : IFormattable
    {
        var sb = new StringBuilder();
        for (int i = 0; i < values.Count; i++)
        {
            if (i % perLine == 0) sb.Append(i == 0 ? indent : "\n" + indent);
            sb.Append(values[i].ToString(null, CultureInfo.InvariantCulture));
            if (i < values.Count - 1) sb.Append(i % perLine == perLine - 1 ? "," : ", ");
        }
        return sb.ToString();
    }

    /// <summary>Bytes as 0x.. hex (the .tflite flatbuffer for TFLM).</summary>
    public static string Hex(ReadOnlySpan<byte> data, int perLine = 16, string indent = "  ")
    {
        var sb = new StringBuilder(data.Length * 6);
        for (int i = 0; i < data.Length; i++)
        {
            if (i % perLine == 0) sb.Append(i == 0 ? indent : "\n" + indent);
            sb.Append("0x").Append(data[i].ToString("x2", CultureInfo.InvariantCulture));
            if (i < data.Length - 1) sb.Append(i % perLine == perLine - 1 ? "," : ", ");
        }
        return sb.ToString();
    }

    /// <summary>A C string literal (labels).</summary>
    public static string StringLiteral(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char ch in text)
        {
            if (ch == '"' || ch == '\\') sb.Append('\\').Append(ch);
            else if (ch < 32 || ch > 126) sb.Append(CultureInfo.InvariantCulture, $"\\{(int)ch & 0xFF:o3}");
            else sb.Append(ch);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A C identifier from a user-given name: letters, digits, underscores, not starting with a digit.</summary>
    public static string Identifier(string name)
    {
        var sb = new StringBuilder();
        foreach (char ch in name) sb.Append(char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '_');
        if (sb.Length == 0 || char.IsAsciiDigit(sb[0])) sb.Insert(0, "m_");
        return sb.ToString();
    }
}
