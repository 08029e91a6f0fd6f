namespace Dnas.Search;

/// <summary>Reading results: the feasible non-dominated set and the system to build.</summary>
public static class ParetoFront
{
    /// <summary>The feasible candidates no other feasible candidate dominates (one per network),
    /// by descending accuracy then ascending costs then key.</summary>
    public static IReadOnlyList<EvaluatedCandidate> Of(IEnumerable<EvaluatedCandidate> candidates)
    {
        var feasible = candidates.Where(c => c.Feasible).DistinctBy(c => c.Key).ToList();
        var front = feasible.Where(c => !feasible.Any(o => Dominance.Dominates(o.Objectives, c.Objectives))).ToList();
        front.Sort(Compare);
        return front;
    }

    /// <summary>The best accuracy among feasible candidates; ties go to the lowest cost (the
    /// objective costs in order), then the key. Null when nothing is feasible.</summary>
    public static EvaluatedCandidate? ChooseSystem(IEnumerable<EvaluatedCandidate> candidates)
    {
        EvaluatedCandidate? best = null;
        foreach (var c in candidates)
            if (c.Feasible && (best is null || Compare(c, best) < 0)) best = c;
        return best;
    }

    /// <summary>Objectives lexicographically (−accuracy first, then each cost), then key (ordinal).</summary>
    private static int Compare(EvaluatedCandidate a, EvaluatedCandidate b)
    {
        for (int i = 0; i < a.Objectives.Count; i++)
        {
            int c = a.Objectives[i].CompareTo(b.Objectives[i]);
            if (c != 0) return c;
        }
        return string.CompareOrdinal(a.Key, b.Key);
    }
}
