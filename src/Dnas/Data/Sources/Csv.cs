using System.Text;

namespace Dnas.Data.Sources;

/// <summary>One CSV record: its fields and the (1-based) line it starts on.</summary>
public sealed record CsvRecord(int Line, string[] Fields);

/// <summary>A CSV reader after RFC 4180: fields separated by commas, records by CRLF (a bare LF
/// or CR is accepted too); a field in double quotes may hold commas, line breaks and doubled
/// quotes (<c>""</c> for <c>"</c>). Lenient where the RFC is silent: a quote inside an unquoted
/// field is kept as is, text after a closing quote is appended, a UTF-8 byte order mark is
/// dropped, and empty lines are skipped. A quoted field still open at the end of the input is an
/// error (<see cref="FormatException"/> naming its line).</summary>
public static class Csv
{
    public static IEnumerable<CsvRecord> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1;
        bool quoted = false, wasQuoted = false, any = false, first = true;
        while (true)
        {
            int c = reader.Read();
            if (first)
            {
                first = false;
                if (c == '\uFEFF') c = reader.Read();
            }
            if (c < 0)
            {
                if (quoted) throw new FormatException($"line {recordLine}: a quoted field is not closed before the end of the file");
                if (any || field.Length > 0 || fields.Count > 0)
                {
                    fields.Add(field.ToString());
                    yield return new CsvRecord(recordLine, fields.ToArray());
                }
                yield break;
            }
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n' || (c == '\r' && reader.Peek() != '\n')) line++;
                    field.Append((char)c);
                }
                continue;
            }
            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    any = true;
                    break;
                case '\r':
                case '\n':
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    if (any || field.Length > 0 || wasQuoted)
                    {
                        fields.Add(field.ToString());
                        yield return new CsvRecord(recordLine, fields.ToArray());
                    }
                    fields.Clear();
                    field.Clear();
                    any = wasQuoted = false;
                    line++;
                    recordLine = line;
                    break;
                case '"' when field.Length == 0 && !wasQuoted:
                    quoted = wasQuoted = true;
                    any = true;
                    break;
                default:
                    field.Append((char)c);
                    break;
            }
        }
    }

    /// <summary>Reads a whole CSV file.</summary>
    public static List<CsvRecord> ReadFile(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return Read(reader).ToList();
    }

    /// <summary>Reads a data set's CSV file; an unreadable or malformed file becomes a
    /// <see cref="DataException"/> naming it (<paramref name="what"/>: e.g. "the labels").</summary>
    public static List<CsvRecord> ReadSourceFile(string path, string what)
    {
        try
        {
            return ReadFile(path);
        }
        catch (FormatException e)
        {
            throw DataException.Unreadable(path, $"not a readable CSV: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataException.Unreadable(path, $"cannot read {what}: {e.Message}", e);
        }
    }

    /// <summary>Index of the header column named <paramref name="name"/> (trimmed, case-insensitive), or −1.</summary>
    public static int Column(string[] header, string name)
    {
        for (int i = 0; i < header.Length; i++)
            if (string.Equals(header[i].Trim(), name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
