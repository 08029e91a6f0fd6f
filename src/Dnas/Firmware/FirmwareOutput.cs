using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dnas.Report;

namespace Dnas.Firmware;

/// <summary>Writes the generated files into the output folder without ever silently destroying
/// a user's edits: a manifest (<see cref="ManifestName"/>) records the SHA-256 of every file as
/// we last wrote it. A file that exists and differs both from that record and from the new text
/// (the user changed it, or it is not ours) is a conflict: nothing is written unless
/// <c>force</c>. All files, then the manifest, go in with <see cref="AtomicFiles.WriteAll"/>.</summary>
public static class FirmwareOutput
{
    public const string ManifestName = ".dnas-firmware.json";

    /// <summary>Files that would be overwritten although they differ from what we last wrote.</summary>
    public static IReadOnlyList<string> Conflicts(string folder, IReadOnlyList<(string Name, string Text)> files)
    {
        var manifest = ReadManifest(folder);
        var conflicts = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            string current = Hash(File.ReadAllBytes(path));
            if (current == Hash(Encoding.UTF8.GetBytes(text))) continue;                 // unchanged output
            if (manifest.TryGetValue(name, out var ours) && ours == current) continue;   // ours, untouched
            conflicts.Add(path);
        }
        return conflicts;
    }

    /// <summary>Writes <paramref name="files"/> (and the manifest); returns the paths written.</summary>
    /// <exception cref="IOException">On a conflict without <paramref name="force"/> (naming the
    /// files and saying what to do) or when the folder cannot be written.</exception>
    public static IReadOnlyList<string> Write(string folder, IReadOnlyList<(string Name, string Text)> files, bool force)
    {
        ArgumentNullException.ThrowIfNull(files);
        var conflicts = Conflicts(folder, files);
        if (conflicts.Count > 0 && !force)
            throw new IOException($"not overwriting {conflicts.Count} file(s) changed since dnas last wrote them: " +
                string.Join(", ", conflicts) + "; move your changes elsewhere, or pass --force to replace them");
        var manifest = ReadManifest(folder);
        foreach (var (name, text) in files) manifest[name] = Hash(Encoding.UTF8.GetBytes(text));
        var sorted = new SortedDictionary<string, string>(manifest, StringComparer.Ordinal);
        string json = JsonSerializer.Serialize(sorted, new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var all = files.Concat([(ManifestName, json)]).ToList();
        var written = AtomicFiles.WriteAll(folder, all, "the generated firmware");
        return written.Take(files.Count).ToList();
    }

    private static Dictionary<string, string> ReadManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestName);
        if (!File.Exists(path)) return new(StringComparer.Ordinal);
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? new(StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new IOException($"{path} is not a valid firmware manifest ({e.Message}); delete it and pass --force to regenerate", e);
        }
    }

    private static string Hash(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
