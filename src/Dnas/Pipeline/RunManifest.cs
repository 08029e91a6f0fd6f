namespace Dnas.Pipeline;

/// <summary>What a finished <c>dnas run</c> leaves for build systems (the Dnas.Build MSBuild
/// package reads both): <c>generated.txt</c>, the full paths of the files the last stage
/// produced, one per line, and <c>data.fingerprint</c>, the data stage's input hash (the source
/// files' names, sizes and times plus the store settings), which changes when the data does.</summary>
public static class RunManifest
{
    /// <summary>Writes <see cref="RunFolder.GeneratedManifest"/>: the files in order, as full paths.</summary>
    public static void WriteGenerated(RunFolder folder, IEnumerable<string> files)
    {
        var lines = files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        foreach (var f in lines)
            if (!File.Exists(f)) throw new InvalidOperationException($"the run lists {f} as generated, but it does not exist");
        AtomicFile.WriteAllText(folder.GeneratedManifest, string.Concat(lines.Select(l => l + "\n")));
    }

    /// <summary>The files of the last run's manifest (empty when there is none).</summary>
    public static IReadOnlyList<string> ReadGenerated(RunFolder folder) =>
        File.Exists(folder.GeneratedManifest)
            ? File.ReadAllLines(folder.GeneratedManifest).Where(l => l.Length > 0).ToList()
            : [];

    /// <summary>Writes <see cref="RunFolder.DataFingerprint"/>, only when it changed: build systems
    /// compare its time with their outputs', so an unchanged hash must keep the old time.</summary>
    public static void WriteDataFingerprint(RunFolder folder, string fingerprint)
    {
        string text = fingerprint + "\n";
        if (File.Exists(folder.DataFingerprint) && File.ReadAllText(folder.DataFingerprint) == text) return;
        AtomicFile.WriteAllText(folder.DataFingerprint, text);
    }
}
