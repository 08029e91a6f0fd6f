using Dnas.Hardware;
using Xunit;

namespace Dnas.Tests.Hardware;

public class HardwareArenaPlannerTests
{
    private static PlannedTensor T(string name, long size, int first, int last, int? reuse = null) => new(name, size, first, last, reuse);

    [Fact]
    public void DisjointLifetimesShareOffsetZero()
    {
        var ts = new[] { T("a", 100, 0, 0), T("b", 200, 1, 1), T("c", 50, 2, 3) };
        var plan = ArenaPlanner.Plan(ts);
        Assert.Equal(new long[] { 0, 0, 0 }, plan.Offsets);
        Assert.Equal(208, plan.ArenaBytes); // 200 rounded up to 16
        Assert.Empty(ArenaPlanner.Verify(ts, plan));
    }

    [Fact]
    public void OverlappingLifetimesStack()
    {
        var ts = new[] { T("a", 64, 0, 1), T("b", 32, 1, 2) };
        var plan = ArenaPlanner.Plan(ts);
        Assert.Equal(0, plan.OffsetOf(0));
        Assert.Equal(64, plan.OffsetOf(1));
        Assert.Equal(96, plan.ArenaBytes);
    }

    [Theory]
    [InlineData(160, 96, 128)]
    [InlineData(128, 96, 160)]
    [InlineData(32, 256, 48)]
    [InlineData(16, 16, 16)]
    public void ChainNeedsLargestAdjacentPair(long a, long b, long c)
    {
        // op 0: a -> b; op 1: b -> c
        var ts = new[] { T("a", a, 0, 0), T("b", b, 0, 1), T("c", c, 1, 1) };
        var plan = ArenaPlanner.Plan(ts);
        Assert.Equal(Math.Max(a + b, b + c), plan.ArenaBytes);
        Assert.Empty(ArenaPlanner.Verify(ts, plan));
    }

    [Fact]
    public void OffsetsAndArenaAreAligned()
    {
        var ts = new[] { T("a", 1, 0, 1), T("b", 1, 0, 1), T("c", 17, 1, 1) };
        var plan = ArenaPlanner.Plan(ts);
        // c (32 aligned) first at 0, then a at 32, b at 48
        Assert.Equal(new long[] { 32, 48, 0 }, plan.Offsets);
        Assert.Equal(64, plan.ArenaBytes);
        var wide = ArenaPlanner.Plan(ts, alignment: 64);
        Assert.All(wide.Offsets, o => Assert.Equal(0, o % 64));
        Assert.Equal(192, wide.ArenaBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => ArenaPlanner.Plan(ts, alignment: 12));
        Assert.Equal(0, ArenaPlanner.Plan([]).ArenaBytes);
    }

    // op 0: x -> h (expand); op 1: h -> p (project); op 2: add(p, x) -> y; op 3: y -> z
    private static PlannedTensor[] Residual(bool inPlace) =>
    [
        T("x", 64, 0, 2), T("h", 32, 0, 1), T("p", 64, 1, 2), T("y", 64, 2, 3, inPlace ? 2 : null), T("z", 32, 3, 3),
    ];

    [Fact]
    public void InPlaceAddReusesItsDyingInput()
    {
        var plain = ArenaPlanner.Plan(Residual(false));
        // x@0, p@64, y@128 (overlaps x and p at the add), h@128, z@0
        Assert.Equal(new long[] { 0, 128, 64, 128, 0 }, plain.Offsets);
        Assert.Equal(192, plain.ArenaBytes);
        Assert.Empty(ArenaPlanner.Verify(Residual(false), plain));

        var inPlace = ArenaPlanner.Plan(Residual(true));
        Assert.Equal(inPlace.OffsetOf(2), inPlace.OffsetOf(3));
        Assert.Equal(new long[] { 0, 128, 64, 64, 0 }, inPlace.Offsets);
        Assert.Equal(160, inPlace.ArenaBytes);
        Assert.Empty(ArenaPlanner.Verify(Residual(true), inPlace));
    }

    [Fact]
    public void IllegalInPlaceReuseIsRejected()
    {
        // x is still needed after op 1, so y (produced at op 1) cannot take its buffer
        var early = new[] { T("x", 64, 0, 2), T("y", 64, 1, 3, 0) };
        var e = Assert.Throws<ArgumentException>(() => ArenaPlanner.Plan(early));
        Assert.Contains("cannot reuse 'x'", e.Message);
        var larger = new[] { T("x", 64, 0, 1), T("y", 80, 1, 2, 0) };
        Assert.Throws<ArgumentException>(() => ArenaPlanner.Plan(larger));
        var twice = new[] { T("x", 64, 0, 1), T("y", 64, 1, 2, 0), T("z", 64, 1, 2, 0) };
        Assert.Contains("both reuse", Assert.Throws<ArgumentException>(() => ArenaPlanner.Plan(twice)).Message);
        Assert.Throws<ArgumentException>(() => ArenaPlanner.Plan([T("bad", 16, 3, 2)]));
    }

    [Fact]
    public void RandomTensorSetsNeverOverlapWhileLive()
    {
        var rng = new Random(1234);
        for (int trial = 0; trial < 300; trial++)
        {
            int n = rng.Next(1, 30), ops = rng.Next(1, 20);
            var ts = new PlannedTensor[n];
            for (int i = 0; i < n; i++)
            {
                int a = rng.Next(ops), b = rng.Next(ops);
                ts[i] = T($"t{i}", rng.Next(0, 5000), Math.Min(a, b), Math.Max(a, b));
            }
            var plan = ArenaPlanner.Plan(ts);
            Assert.Empty(ArenaPlanner.Verify(ts, plan));
            // never below the largest set of simultaneously live (aligned) buffers
            for (int op = 0; op < ops; op++)
            {
                long live = ts.Where(t => t.FirstUse <= op && op <= t.LastUse).Sum(t => ArenaPlanner.Align(t.Size, 16));
                Assert.True(plan.ArenaBytes >= live);
            }
            Assert.True(plan.ArenaBytes <= ts.Sum(t => ArenaPlanner.Align(t.Size, 16)));
        }
    }
}
