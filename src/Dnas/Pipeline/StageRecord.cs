using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dnas.Pipeline;

/// <summary>What a finished stage leaves behind in <c>&lt;stage&gt;.json</c>: the hash of
/// everything it read (configuration sections, the upstream stage's hash, the data's content
/// hash, the tool version), when it finished, how long it took, and its results. A stage whose
/// record carries the hash of the present inputs is not run again: the same content-hash cache
/// the build integration relies on.</summary>
public sealed record StageRecord(string Stage, string InputHash, DateTimeOffset Finished, double Seconds, JsonObject Results)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>SHA-256 (hex, first 16 bytes) of the parts, each length-prefixed so that
    /// ("ab","c") and ("a","bc") differ.</summary>
    public static string Hash(params string[] parts)
    {
        var sb = new StringBuilder();
        sb.Append(ToolVersion).Append('\n');
        foreach (var p in parts) sb.Append(p.Length).Append(':').Append(p).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())).AsSpan(0, 16));
    }

    /// <summary>The library's informational version: a new tool version invalidates every stage.</summary>
    public static string ToolVersion { get; } =
        typeof(StageRecord).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute a, ..] ? a.InformationalVersion : "unknown";

    /// <summary>The record at <paramref name="path"/>, or null when there is none or it cannot
    /// be read (a damaged record only means the stage runs again).</summary>
    public static StageRecord? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (node is null) return null;
            return new StageRecord(
                (string?)node["stage"] ?? "",
                (string?)node["input_hash"] ?? "",
                DateTimeOffset.Parse((string?)node["finished"] ?? "", System.Globalization.CultureInfo.InvariantCulture),
                (double?)node["seconds"] ?? 0,
                node["results"] as JsonObject ?? []);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>Writes the record atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var node = new JsonObject
        {
            ["stage"] = Stage,
            ["input_hash"] = InputHash,
            ["tool_version"] = ToolVersion,
            ["finished"] = Finished.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["seconds"] = Math.Round(Seconds, 3),
            ["results"] = Results.DeepClone(),
        };
        AtomicFile.WriteAllText(path, node.ToJsonString(Indented) + "\n");
    }
}

/// <summary>Whole-file writes that never leave a half-written file under the final name.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => { var bytes = Encoding.UTF8.GetBytes(text); stream.Write(bytes); });

    /// <summary>Writes through <paramref name="write"/> to <c>path.tmp</c>, flushes it to the
    /// disk, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
