namespace Dnas.Config;

/// <summary>"Did you mean" suggestions by edit distance.</summary>
public static class Suggest
{
    /// <summary>Optimal-string-alignment distance (Levenshtein plus adjacent transpositions),
    /// case-insensitive, with '-' and '_' treated as the same character.</summary>
    public static int Distance(string a, string b)
    {
        a = Normalize(a);
        b = Normalize(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.Min(v, d[i - 2, j - 2] + 1);
                d[i, j] = v;
            }
        }
        return d[a.Length, b.Length];
    }

    private static string Normalize(string s) => s.ToLowerInvariant().Replace('-', '_');

    /// <summary>The candidate nearest to <paramref name="word"/>, or null when none is close
    /// (distance at most max(2, length/3)); ties go to the first candidate.</summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = Distance(word, c);
            if (d < bestDistance) { best = c; bestDistance = d; }
        }
        int limit = Math.Max(2, word.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    /// <summary>"; did you mean 'x'?" or "".</summary>
    public static string DidYouMean(string word, IEnumerable<string> candidates) =>
        Nearest(word, candidates) is { } n ? $"; did you mean '{n}'?" : "";
}
