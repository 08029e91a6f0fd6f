namespace Dnas.Report;

/// <summary>Writes a set of files into one folder all-or-nothing as far as the file system
/// allows: every file goes to a temporary name first; only when all are written are they
/// renamed, in order, over their final names.</summary>
internal static class AtomicFiles
{
    /// <exception cref="IOException">Naming <paramref name="what"/> and the folder; temporary files are removed.</exception>
    public static IReadOnlyList<string> WriteAll(string folder, IReadOnlyList<(string Name, string Text)> files, string what)
    {
        string suffix = ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        var written = new List<(string Temp, string Final)>();
        try
        {
            Directory.CreateDirectory(folder);
            foreach (var (name, text) in files)
            {
                string final = Path.Combine(folder, name);
                // Found now, not at the rename, when other files would already be in place.
                if (Directory.Exists(final)) throw new IOException($"{final} is a folder");
                written.Add((final + suffix, final));
                File.WriteAllText(final + suffix, text);
            }
            foreach (var (temp, final) in written) File.Move(temp, final, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var (temp, _) in written)
            {
                try { File.Delete(temp); }
                catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            }
            throw new IOException($"cannot write {what} in {folder}: {e.Message}", e);
        }
        return written.Select(w => w.Final).ToList();
    }
}
