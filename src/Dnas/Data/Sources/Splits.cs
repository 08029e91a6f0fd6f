using System.Globalization;
using System.Text;

namespace Dnas.Data.Sources;

/// <summary>Fractions of the items that go to train, val and test (sum 1).</summary>
public sealed record SplitFractions
{
    public double Train { get; }
    public double Val { get; }
    public double Test { get; }

    public SplitFractions(double train, double val, double test)
    {
        if (!(train > 0 && val >= 0 && test >= 0) || Math.Abs(train + val + test - 1) > 1e-6)
            throw new ArgumentOutOfRangeException(nameof(train), $"split fractions must be train > 0, val and test ≥ 0, summing to 1; got {train}, {val}, {test}");
        Train = train;
        Val = val;
        Test = test;
    }

    public static SplitFractions Default { get; } = new(0.8, 0.1, 0.1);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"train {Train:R} val {Val:R} test {Test:R}");
}

/// <summary>Assigns items to train, val and test.
/// <list type="bullet">
/// <item>An item whose source gives its split keeps it (<see cref="GivenSplit"/>).</item>
/// <item>The others are split per class (stratified): each class's items are ordered by a
/// 64-bit hash of (seed, item id) — ties by id — and cut at the rounded cumulative fractions:
/// with n items, the first round(n·train) go to train, up to round(n·(train + val)) to val,
/// the rest to test. <see cref="GivenSplit.TrainOrVal"/> items are cut the same way between
/// train and val only, in proportion train : val.</item>
/// </list>
/// The result depends only on the ids, labels, given splits, fractions and seed: never on the
/// order in which the file system listed the items. Adding one item moves at most a few
/// others across a boundary.</summary>
public static class SplitAssigner
{
    /// <summary>The split of each item (same order as <paramref name="items"/>).</summary>
    public static Split[] Assign(IReadOnlyList<(string Id, int Label, GivenSplit Given)> items, SplitFractions fractions, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(fractions);
        var result = new Split[items.Count];
        var pools = new Dictionary<(GivenSplit Pool, int Label), List<int>>();
        for (int i = 0; i < items.Count; i++)
        {
            var (_, label, given) = items[i];
            switch (given)
            {
                case GivenSplit.Train: result[i] = Split.Train; break;
                case GivenSplit.Val: result[i] = Split.Val; break;
                case GivenSplit.Test: result[i] = Split.Test; break;
                default:
                    if (!pools.TryGetValue((given, label), out var list)) pools[(given, label)] = list = [];
                    list.Add(i);
                    break;
            }
        }
        foreach (var ((pool, _), members) in pools)
        {
            var keyed = members.Select(i => (Key: Hash(seed, items[i].Id), Id: items[i].Id, Index: i)).ToList();
            keyed.Sort((a, b) =>
            {
                int c = a.Key.CompareTo(b.Key);
                if (c == 0) c = string.CompareOrdinal(a.Id, b.Id);
                return c == 0 ? a.Index.CompareTo(b.Index) : c;
            });
            int n = keyed.Count;
            int trainEnd, valEnd;
            if (pool == GivenSplit.TrainOrVal)
            {
                double share = fractions.Val + fractions.Train > 0 ? fractions.Train / (fractions.Train + fractions.Val) : 1;
                trainEnd = Cut(n, share);
                valEnd = n;
            }
            else
            {
                trainEnd = Cut(n, fractions.Train);
                valEnd = Math.Max(trainEnd, Cut(n, fractions.Train + fractions.Val));
            }
            for (int k = 0; k < n; k++)
                result[keyed[k].Index] = k < trainEnd ? Split.Train : k < valEnd ? Split.Val : Split.Test;
        }
        return result;
    }

    private static int Cut(int n, double cumulative) => (int)Math.Min(n, Math.Floor(n * cumulative + 0.5));

    /// <summary>FNV-1a over the UTF-8 id, then mixed with the seed by SplitMix64's finaliser.</summary>
    public static ulong Hash(ulong seed, string id)
    {
        ulong h = 0xcbf29ce484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(id))
        {
            h ^= b;
            h *= 0x100000001b3UL;
        }
        ulong z = h ^ (seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public static string Name(Split split) => split switch { Split.Train => "train", Split.Val => "val", _ => "test" };
}
