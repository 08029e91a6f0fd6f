namespace Dnas.Search;

/// <summary>The pieces of NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002) that do not depend on
/// genomes: constrained domination, fast non-dominated sorting and crowding distance. All
/// objectives are minimised.</summary>
public static class Dominance
{
    /// <summary>Pareto domination: a is no worse in every objective and better in at least one.</summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("objective vectors differ in length");
        bool better = false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] > b[i]) return false;
            if (a[i] < b[i]) better = true;
        }
        return better;
    }

    /// <summary>Deb's constrained domination: a feasible solution (violation 0) dominates an
    /// infeasible one; of two infeasible ones the smaller violation dominates; two feasible ones
    /// compare by Pareto domination.</summary>
    public static bool ConstrainedDominates(IReadOnlyList<double> a, double violationA, IReadOnlyList<double> b, double violationB)
    {
        bool fa = violationA <= 0, fb = violationB <= 0;
        if (fa && fb) return Dominates(a, b);
        if (fa) return true;
        if (fb) return false;
        return violationA < violationB;
    }

    /// <summary>Fast non-dominated sort under constrained domination. Returns the fronts (indices
    /// into the input, ascending within a front); front 0 is dominated by no one. Equal points
    /// never dominate each other, so duplicates share a front.</summary>
    public static List<List<int>> Sort(IReadOnlyList<IReadOnlyList<double>> objectives, IReadOnlyList<double>? violations = null)
    {
        int n = objectives.Count;
        if (violations is not null && violations.Count != n) throw new ArgumentException("one violation per point");
        double V(int i) => violations is null ? 0 : violations[i];
        var dominated = new List<int>[n];
        var count = new int[n];
        for (int p = 0; p < n; p++) dominated[p] = [];
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
            {
                if (ConstrainedDominates(objectives[p], V(p), objectives[q], V(q))) { dominated[p].Add(q); count[q]++; }
                else if (ConstrainedDominates(objectives[q], V(q), objectives[p], V(p))) { dominated[q].Add(p); count[p]++; }
            }
        var fronts = new List<List<int>>();
        var current = new List<int>();
        for (int p = 0; p < n; p++) if (count[p] == 0) current.Add(p);
        while (current.Count > 0)
        {
            fronts.Add(current);
            var next = new List<int>();
            foreach (int p in current)
                foreach (int q in dominated[p])
                    if (--count[q] == 0) next.Add(q);
            next.Sort();
            current = next;
        }
        return fronts;
    }

    /// <summary>Rank (front index) of every point.</summary>
    public static int[] Ranks(List<List<int>> fronts, int count)
    {
        var rank = new int[count];
        for (int f = 0; f < fronts.Count; f++) foreach (int i in fronts[f]) rank[i] = f;
        return rank;
    }

    /// <summary>Crowding distance of each member of <paramref name="front"/> (same order): per
    /// objective, sort the front, give the two extremes +∞ and every other point the normalised
    /// gap between its neighbours, (f[i+1] − f[i−1]) / (f_max − f_min); sum over objectives. An
    /// objective on which the whole front is equal contributes nothing. Ties in sorting keep the
    /// front's order, so the result is deterministic.</summary>
    public static double[] Crowding(IReadOnlyList<IReadOnlyList<double>> objectives, IReadOnlyList<int> front)
    {
        int n = front.Count;
        var d = new double[n];
        if (n == 0) return d;
        if (n <= 2) { Array.Fill(d, double.PositiveInfinity); return d; }
        int m = objectives[front[0]].Count;
        var order = new int[n];
        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            int kk = k;
            // Stable: insertion order breaks ties.
            var sorted = order.OrderBy(i => objectives[front[i]][kk]).ToArray();
            double lo = objectives[front[sorted[0]]][k], hi = objectives[front[sorted[n - 1]]][k];
            d[sorted[0]] = double.PositiveInfinity;
            d[sorted[n - 1]] = double.PositiveInfinity;
            if (!(hi > lo)) continue;
            for (int i = 1; i < n - 1; i++)
            {
                if (double.IsPositiveInfinity(d[sorted[i]])) continue;
                d[sorted[i]] += (objectives[front[sorted[i + 1]]][k] - objectives[front[sorted[i - 1]]][k]) / (hi - lo);
            }
        }
        return d;
    }

    /// <summary>The crowded-comparison operator ≺ₙ: lower rank wins, then larger crowding distance.</summary>
    public static bool CrowdedBetter(int rankA, double crowdA, int rankB, double crowdB) =>
        rankA < rankB || (rankA == rankB && crowdA > crowdB);
}
