using Dnas.Data.Sources;
using Xunit;

namespace Dnas.Tests.Data;

/// <summary>The train/val/test assignment: seeded, stratified, independent of listing order,
/// respecting the splits a source gives.</summary>
public sealed class DatasetSplitTests
{
    private static List<(string Id, int Label, GivenSplit Given)> Items(int perClass0, int perClass1, GivenSplit given = GivenSplit.None)
    {
        var items = new List<(string, int, GivenSplit)>();
        for (int i = 0; i < perClass0; i++) items.Add(($"a/{i:D4}.png", 0, given));
        for (int i = 0; i < perClass1; i++) items.Add(($"b/{i:D4}.png", 1, given));
        return items;
    }

    private static Dictionary<string, Split> ById(List<(string Id, int Label, GivenSplit Given)> items, Split[] splits) =>
        items.Select((x, i) => (x.Id, splits[i])).ToDictionary(p => p.Id, p => p.Item2);

    [Fact]
    public void SameSeedSameSplitsOtherSeedOtherSplits()
    {
        var items = Items(100, 50);
        var a = SplitAssigner.Assign(items, SplitFractions.Default, 1);
        var b = SplitAssigner.Assign(items, SplitFractions.Default, 1);
        var c = SplitAssigner.Assign(items, SplitFractions.Default, 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ListingOrderDoesNotMatter()
    {
        var items = Items(70, 33);
        var reference = ById(items, SplitAssigner.Assign(items, SplitFractions.Default, 7));
        var shuffled = items.ToList();
        new Random(3).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        var other = ById(shuffled, SplitAssigner.Assign(shuffled, SplitFractions.Default, 7));
        Assert.Equal(reference, other);
        shuffled.Reverse();
        Assert.Equal(reference, ById(shuffled, SplitAssigner.Assign(shuffled, SplitFractions.Default, 7)));
    }

    [Theory]
    [InlineData(100, 50, 0.8, 0.1, 0.1)]
    [InlineData(334, 363, 0.8, 0.1, 0.1)]
    [InlineData(17, 9, 0.6, 0.2, 0.2)]
    [InlineData(10, 10, 1.0, 0.0, 0.0)]
    public void EveryClassIsSplitByTheFractions(int n0, int n1, double train, double val, double test)
    {
        var items = Items(n0, n1);
        var f = new SplitFractions(train, val, test);
        var splits = SplitAssigner.Assign(items, f, 11);
        foreach (var (label, n) in new[] { (0, n0), (1, n1) })
        {
            var mine = items.Select((x, i) => (x.Label, splits[i])).Where(p => p.Label == label).Select(p => p.Item2).ToList();
            int expectedTrain = (int)Math.Floor(n * train + 0.5);
            int expectedTrainVal = (int)Math.Floor(n * (train + val) + 0.5);
            Assert.Equal(expectedTrain, mine.Count(s => s == Split.Train));
            Assert.Equal(expectedTrainVal - expectedTrain, mine.Count(s => s == Split.Val));
            Assert.Equal(n - expectedTrainVal, mine.Count(s => s == Split.Test));
        }
    }

    [Fact]
    public void AddingAnItemMovesFewOthers()
    {
        var items = Items(200, 0);
        var before = ById(items, SplitAssigner.Assign(items, SplitFractions.Default, 5));
        items.Add(("a/extra.png", 0, GivenSplit.None));
        var after = ById(items, SplitAssigner.Assign(items, SplitFractions.Default, 5));
        int moved = before.Count(p => after[p.Key] != p.Value);
        Assert.True(moved <= 3, $"{moved} items changed split after adding one");
    }

    [Fact]
    public void GivenSplitsAreKeptAndTrainOrValIsSplitInProportion()
    {
        var items = new List<(string Id, int Label, GivenSplit Given)>
        {
            ("t1", 0, GivenSplit.Test), ("v1", 1, GivenSplit.Val), ("r1", 0, GivenSplit.Train),
        };
        items.AddRange(Items(90, 90, GivenSplit.TrainOrVal));
        var splits = SplitAssigner.Assign(items, new SplitFractions(0.7, 0.2, 0.1), 3);
        Assert.Equal(Split.Test, splits[0]);
        Assert.Equal(Split.Val, splits[1]);
        Assert.Equal(Split.Train, splits[2]);
        var rest = splits.Skip(3).ToList();
        Assert.DoesNotContain(Split.Test, rest);
        // 90 per class, train share 0.7 / 0.9: round(70) = 70 train, 20 val per class.
        Assert.Equal(140, rest.Count(s => s == Split.Train));
        Assert.Equal(40, rest.Count(s => s == Split.Val));
    }
}
