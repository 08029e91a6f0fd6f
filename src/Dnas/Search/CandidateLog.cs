using System.Buffers;
using System.Text.Json;
using Dnas.Data.Preprocess;

namespace Dnas.Search;

/// <summary>One line of candidates.jsonl as read back.</summary>
public sealed record LoggedCandidate(string Key, CandidateScore Score, int Generation, bool Feasible, double Violation);

/// <summary>Appends evaluated candidates to a JSON-lines file, one object per line:
/// <c>{"key","generation","index","resolution","color","width","depths","expansions","kernels",
/// "accuracy","costs":{…},"violation","total_violation","feasible"}</c> (expansions and kernels
/// per stage, active blocks only). Each line is written with a single write and flushed, so a
/// crash leaves at most one torn last line, which <see cref="CandidateLogReader"/> ignores and
/// the next writer cuts off before appending.</summary>
public sealed class CandidateLogWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly bool _durable;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    /// <param name="durable">Flush each line to the disk (fsync), not only to the OS.</param>
    public CandidateLogWriter(string path, bool durable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _durable = durable;
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        CutTornTail();
        _stream.Seek(0, SeekOrigin.End);
    }

    private void CutTornTail()
    {
        long len = _stream.Length;
        if (len == 0) return;
        // Find the last newline; everything after it is a torn line.
        var buf = new byte[4096];
        long pos = len;
        while (pos > 0)
        {
            int chunk = (int)Math.Min(buf.Length, pos);
            pos -= chunk;
            _stream.Seek(pos, SeekOrigin.Begin);
            _stream.ReadExactly(buf, 0, chunk);
            int nl = Array.LastIndexOf(buf, (byte)'\n', chunk - 1, chunk);
            if (nl >= 0)
            {
                long keep = pos + nl + 1;
                if (keep != len) _stream.SetLength(keep);
                return;
            }
        }
        _stream.SetLength(0);
    }

    public void Write(EvaluatedCandidate c)
    {
        ArgumentNullException.ThrowIfNull(c);
        _buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(_buffer))
        {
            var g = c.Genome;
            w.WriteStartObject();
            w.WriteString("key", g.Key);
            w.WriteNumber("generation", c.Generation);
            w.WriteNumber("index", c.Index);
            w.WriteNumber("resolution", g.Resolution);
            w.WriteString("color", g.Color == ColorMode.Gray ? "gray" : "rgb");
            w.WriteNumber("width", g.Width);
            w.WriteStartArray("depths");
            foreach (int d in g.Depths) w.WriteNumberValue(d);
            w.WriteEndArray();
            WriteStages(w, "expansions", g.StageExpansions);
            WriteStages(w, "kernels", g.StageKernels);
            w.WriteNumber("accuracy", c.Score.Accuracy);
            w.WriteStartObject("costs");
            foreach (var (name, value) in c.Score.Costs) w.WriteNumber(name, value);
            w.WriteEndObject();
            w.WriteNumber("violation", c.Score.Violation);
            w.WriteNumber("total_violation", c.Violation);
            w.WriteBoolean("feasible", c.Feasible);
            w.WriteEndObject();
        }
        _buffer.Write("\n"u8);
        _stream.Write(_buffer.WrittenSpan);
        _stream.Flush(_durable);
    }

    private static void WriteStages(Utf8JsonWriter w, string name, Func<int, IReadOnlyList<int>> stage)
    {
        w.WriteStartArray(name);
        for (int s = 0; s < SearchSpace.StageCount; s++)
        {
            w.WriteStartArray();
            foreach (int v in stage(s)) w.WriteNumberValue(v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    /// <summary>Writes every fresh evaluation of <paramref name="search"/> to this log.</summary>
    public void Attach(Nsga2 search) => search.CandidateEvaluated += Write;

    public void Dispose() => _stream.Dispose();
}

/// <summary>Reads candidates.jsonl back (to resume a search or report on it).</summary>
public static class CandidateLogReader
{
    /// <summary>All complete lines of the file (none if it does not exist). A torn last line (no
    /// newline, as a crash mid-write leaves) is skipped; a malformed complete line is an error
    /// naming the line.</summary>
    public static List<LoggedCandidate> Read(string path)
    {
        var result = new List<LoggedCandidate>();
        if (!File.Exists(path)) return result;
        byte[] bytes;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            bytes = new byte[fs.Length];
            fs.ReadExactly(bytes);
        }
        int start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0, line = 0; // tolerate a UTF-8 BOM from editors
        while (start < bytes.Length)
        {
            int nl = Array.IndexOf(bytes, (byte)'\n', start);
            if (nl < 0) break; // torn tail
            line++;
            var span = bytes.AsMemory(start, nl - start);
            start = nl + 1;
            if (span.Span.Trim(" \t\r"u8).IsEmpty) continue;
            try { result.Add(ParseLine(span)); }
            catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
            {
                throw new FormatException($"{path}:{line}: not a candidate record: {ex.Message}", ex);
            }
        }
        return result;
    }

    private static LoggedCandidate ParseLine(ReadOnlyMemory<byte> json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string key = root.GetProperty("key").GetString() ?? throw new FormatException("'key' is null");
        var costs = new List<KeyValuePair<string, double>>();
        if (root.TryGetProperty("costs", out var ce))
            foreach (var p in ce.EnumerateObject()) costs.Add(new(p.Name, p.Value.GetDouble()));
        double violation = root.TryGetProperty("violation", out var v) ? v.GetDouble() : 0;
        var score = new CandidateScore(root.GetProperty("accuracy").GetDouble(), costs, violation);
        int generation = root.TryGetProperty("generation", out var ge) ? ge.GetInt32() : -1;
        bool feasible = root.TryGetProperty("feasible", out var fe) ? fe.GetBoolean() : violation == 0;
        double total = root.TryGetProperty("total_violation", out var tv) ? tv.GetDouble() : violation;
        return new LoggedCandidate(key, score, generation, feasible, total);
    }

    /// <summary>(key, score) pairs for <see cref="Nsga2.Preload"/>.</summary>
    public static IEnumerable<(string Key, CandidateScore Score)> ForPreload(IEnumerable<LoggedCandidate> logged) =>
        logged.Select(l => (l.Key, l.Score));
}
