using System.Text.RegularExpressions;

namespace Dnas.Tests.Build;

/// <summary>The repository's root dnas.yaml with a budget that runs in seconds: 200 synthetic
/// images, one resolution, 20 supernet steps, a population of 4 for one generation, no
/// fine-tuning. Everything else (sections, target, comments) stays as the user's copy would be.</summary>
internal static partial class TinyBudget
{
    private static readonly (string Section, string Key, string? Value)[] Changes =
    [
        ("data", "images", "200"),
        ("search_space", "resolutions", "[32]"),
        ("search_space", "widths", "[0.35]"),
        ("supernet", "epochs", null),           // null: replaced by steps
        ("supernet", "batch", "16"),
        ("search", "population", "4"),
        ("search", "generations", "1"),
        ("search", "calibration_images", "16"),
        ("search", "validation_images", "32"),
        ("finetune", "epochs", "0"),
    ];

    [GeneratedRegex(@"^(?<indent>\s+)(?<key>[a-z_]+):\s*(?<value>[^#]*?)\s*(?<comment>#.*)?$")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^(?<section>[a-z_]+):")]
    private static partial Regex SectionLine();

    /// <summary>The root configuration's text with the tiny budget; fails when a key it changes
    /// is no longer in the file (the test would otherwise silently run the full budget).</summary>
    public static string FromRoot(string repoRoot)
    {
        var lines = File.ReadAllLines(Path.Combine(repoRoot, "dnas.yaml")).ToList();
        var done = new HashSet<(string, string)>();
        string section = "";
        for (int i = 0; i < lines.Count; i++)
        {
            if (SectionLine().Match(lines[i]) is { Success: true } s) { section = s.Groups["section"].Value; continue; }
            var m = KeyLine().Match(lines[i]);
            if (!m.Success) continue;
            string key = m.Groups["key"].Value, indent = m.Groups["indent"].Value;
            foreach (var (sec, k, value) in Changes)
            {
                if (sec != section || k != key || !done.Add((sec, k))) continue;
                lines[i] = value is null ? $"{indent}steps: 20" : $"{indent}{key}: {value}";
            }
        }
        var missing = Changes.Where(c => !done.Contains((c.Section, c.Key))).Select(c => $"{c.Section}.{c.Key}").ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"the root dnas.yaml no longer has {string.Join(", ", missing)}: update TinyBudget");
        return string.Join("\n", lines) + "\n";
    }
}
