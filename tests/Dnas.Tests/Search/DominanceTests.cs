using Dnas.Search;
using Xunit;

namespace Dnas.Tests.Search;

public class DominanceTests
{
    private static IReadOnlyList<double>[] P(params (double, double)[] pts) => pts.Select(p => (IReadOnlyList<double>)new[] { p.Item1, p.Item2 }).ToArray();

    [Fact]
    public void Dominates_NeedsNoWorseEverywhereAndBetterSomewhere()
    {
        Assert.True(Dominance.Dominates([1, 2], [2, 2]));
        Assert.True(Dominance.Dominates([1, 1], [2, 2]));
        Assert.False(Dominance.Dominates([1, 2], [1, 2]));
        Assert.False(Dominance.Dominates([1, 3], [2, 2]));
        Assert.False(Dominance.Dominates([2, 2], [1, 2]));
    }

    [Fact]
    public void Sort_HandMadeFronts()
    {
        // Front 0: (1,5) (2,3) (4,1); front 1: (3,4) (5,2); front 2: (6,6).
        var pts = P((3, 4), (1, 5), (6, 6), (2, 3), (5, 2), (4, 1));
        var fronts = Dominance.Sort(pts);
        Assert.Equal(3, fronts.Count);
        Assert.Equal([1, 3, 5], fronts[0]);
        Assert.Equal([0, 4], fronts[1]);
        Assert.Equal([2], fronts[2]);
        Assert.Equal([1, 0, 2, 0, 1, 0], Dominance.Ranks(fronts, pts.Length));
    }

    [Fact]
    public void Sort_DuplicatesShareAFront_TiesOnOneObjectiveDominate()
    {
        // (1,1) twice: neither dominates the other. (1,2) is dominated by (1,1) (tie on the first objective).
        var pts = P((1, 2), (1, 1), (1, 1), (2, 1), (2, 2), (2, 2));
        var fronts = Dominance.Sort(pts);
        Assert.Equal([1, 2], fronts[0]);
        Assert.Equal([0, 3], fronts[1]);
        Assert.Equal([4, 5], fronts[2]);
        Assert.Equal(3, fronts.Count);
    }

    [Fact]
    public void Sort_EveryPointInExactlyOneFront()
    {
        var rng = new Dnas.Engine.Rng(5);
        var pts = Enumerable.Range(0, 60).Select(_ => (IReadOnlyList<double>)new[] { (double)rng.NextInt(6), rng.NextInt(6), rng.NextInt(6) }).ToArray();
        var fronts = Dominance.Sort(pts);
        Assert.Equal(Enumerable.Range(0, 60), fronts.SelectMany(f => f).Order());
        var rank = Dominance.Ranks(fronts, pts.Length);
        for (int i = 0; i < pts.Length; i++)
            for (int j = 0; j < pts.Length; j++)
                if (Dominance.Dominates(pts[i], pts[j])) Assert.True(rank[i] < rank[j]);
        // Within a front nobody dominates anybody; each member of front f>0 is dominated by some member of f-1.
        for (int f = 0; f < fronts.Count; f++)
        {
            foreach (int a in fronts[f])
            {
                Assert.DoesNotContain(fronts[f], b => Dominance.Dominates(pts[b], pts[a]));
                if (f > 0) Assert.Contains(fronts[f - 1], b => Dominance.Dominates(pts[b], pts[a]));
            }
        }
    }

    [Fact]
    public void Crowding_HandComputed()
    {
        // Sorted by f1: (0,10) (1,6) (3,4) (6,1) (10,0); ranges 10 and 10.
        var pts = P((3, 4), (0, 10), (10, 0), (1, 6), (6, 1));
        var d = Dominance.Crowding(pts, [0, 1, 2, 3, 4]);
        Assert.True(double.IsPositiveInfinity(d[1]));
        Assert.True(double.IsPositiveInfinity(d[2]));
        // (1,6): (3-0)/10 + (10-4)/10 = 0.9; (3,4): (6-1)/10 + (6-1)/10 = 1.0; (6,1): (10-3)/10 + (4-0)/10 = 1.1
        Assert.Equal(0.9, d[3], 12);
        Assert.Equal(1.0, d[0], 12);
        Assert.Equal(1.1, d[4], 12);
    }

    [Fact]
    public void Crowding_SubsetFront_SmallFronts_AndFlatObjective()
    {
        var pts = P((0, 5), (9, 9), (2, 5), (4, 5));
        var d = Dominance.Crowding(pts, [0, 2, 3]);
        Assert.True(double.IsPositiveInfinity(d[0]));
        Assert.True(double.IsPositiveInfinity(d[2]));
        Assert.Equal((4 - 0) / 4.0, d[1], 12); // the flat second objective adds nothing
        Assert.All(Dominance.Crowding(pts, [1, 2]), x => Assert.True(double.IsPositiveInfinity(x)));
        Assert.Empty(Dominance.Crowding(pts, []));
    }

    [Fact]
    public void ConstrainedDomination_Cases()
    {
        double[] good = [0, 0], bad = [5, 5];
        // Feasible beats infeasible even when the infeasible one has better objectives.
        Assert.True(Dominance.ConstrainedDominates(bad, 0, good, 0.1));
        Assert.False(Dominance.ConstrainedDominates(good, 0.1, bad, 0));
        // Both infeasible: the smaller violation wins regardless of objectives; equal violations: neither.
        Assert.True(Dominance.ConstrainedDominates(bad, 0.2, good, 0.3));
        Assert.False(Dominance.ConstrainedDominates(good, 0.3, bad, 0.2));
        Assert.False(Dominance.ConstrainedDominates(good, 0.3, bad, 0.3));
        Assert.False(Dominance.ConstrainedDominates(bad, 0.3, good, 0.3));
        // Both feasible: plain Pareto.
        Assert.True(Dominance.ConstrainedDominates(good, 0, bad, 0));
        Assert.False(Dominance.ConstrainedDominates([0, 6], 0, bad, 0));
    }

    [Fact]
    public void Sort_WithViolations_FeasibleFirstThenByViolation()
    {
        var pts = P((5, 5), (0, 0), (1, 1), (9, 9), (0, 9));
        double[] viol = [0, 0.5, 0.2, 0, 0.2];
        var fronts = Dominance.Sort(pts, viol);
        Assert.Equal([0, 3], fronts.Take(2).SelectMany(f => f).Order()); // feasible: (5,5) then (9,9)
        Assert.Equal([0], fronts[0]);
        Assert.Equal([3], fronts[1]);
        Assert.Equal([2, 4], fronts[2]); // equal violation 0.2: neither dominates
        Assert.Equal([1], fronts[3]);
    }

    [Fact]
    public void CrowdedComparison()
    {
        Assert.True(Dominance.CrowdedBetter(0, 0.1, 1, double.PositiveInfinity));
        Assert.True(Dominance.CrowdedBetter(1, 2, 1, 1));
        Assert.False(Dominance.CrowdedBetter(1, 1, 1, 1));
    }
}
