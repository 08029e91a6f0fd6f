using System.Globalization;
using Dnas.Engine.Models;
using Dnas.Data.Preprocess;

namespace Dnas.Search;

/// <summary>Inclusive range of block counts for one MobileNetV2 stage.</summary>
public readonly record struct DepthRange(int Min, int Max)
{
    public int Count => Max - Min + 1;
    public override string ToString() => Min == Max ? Min.ToString(CultureInfo.InvariantCulture) : $"{Min}..{Max}";
}

/// <summary>The choices the search may make: the data genes (input resolution, colour mode)
/// and the network genes (width multiplier, depth per stage of the seven MobileNetV2 stages,
/// expansion ratio and depthwise kernel per block slot). A block slot exists for every block a
/// stage may have at its maximum depth; a genome uses the first <c>depth</c> slots of a stage.
/// The first stage (t = 1 in the standard table) is fixed at one block of expansion 1.</summary>
public sealed class SearchSpace
{
    public const int StageCount = 7;

    public IReadOnlyList<int> Resolutions { get; }
    public IReadOnlyList<ColorMode> Colors { get; }
    public IReadOnlyList<double> Widths { get; }
    public IReadOnlyList<DepthRange> Depths { get; }
    public IReadOnlyList<int> Expansions { get; }
    public IReadOnlyList<int> Kernels { get; }

    /// <summary>Total number of block slots: Σ max depth.</summary>
    public int SlotCount { get; }

    private readonly int[] _slotOffsets;

    public SearchSpace(IEnumerable<int> resolutions, IEnumerable<ColorMode> colors, IEnumerable<double> widths,
        IEnumerable<DepthRange> depths, IEnumerable<int> expansions, IEnumerable<int> kernels)
    {
        Resolutions = Checked(resolutions, "resolutions", r => r >= 8, "at least 8 pixels");
        Colors = Checked(colors, "colors", c => Enum.IsDefined(c), "gray or rgb");
        Widths = Checked(widths, "widths", w => double.IsFinite(w) && w > 0 && w <= 4, "in (0, 4]");
        Expansions = Checked(expansions, "expansions", e => e >= 1 && e <= 16, "in 1..16");
        Kernels = Checked(kernels, "kernels", k => k >= 1 && k <= 11 && k % 2 == 1, "odd, 1..11");
        var d = depths.ToArray();
        if (d.Length != StageCount)
            throw new ArgumentException($"search space: need {StageCount} stage depth ranges, got {d.Length}", nameof(depths));
        if (d[0] != new DepthRange(1, 1))
            throw new ArgumentException($"search space: the first stage is fixed at one block, got {d[0]}", nameof(depths));
        for (int i = 0; i < d.Length; i++)
            if (d[i].Min < 1 || d[i].Max < d[i].Min || d[i].Max > 12)
                throw new ArgumentException($"search space: stage {i} depth range {d[i]} is invalid (need 1 <= min <= max <= 12)", nameof(depths));
        Depths = d;
        _slotOffsets = new int[StageCount + 1];
        for (int i = 0; i < StageCount; i++) _slotOffsets[i + 1] = _slotOffsets[i] + d[i].Max;
        SlotCount = _slotOffsets[StageCount];
    }

    private static IReadOnlyList<T> Checked<T>(IEnumerable<T> values, string name, Func<T, bool> valid, string rule)
    {
        var list = values.ToArray();
        if (list.Length == 0) throw new ArgumentException($"search space: '{name}' is empty");
        for (int i = 0; i < list.Length; i++)
        {
            if (!valid(list[i])) throw new ArgumentException($"search space: '{name}' value {list[i]} is out of range ({rule})");
            for (int j = 0; j < i; j++)
                if (EqualityComparer<T>.Default.Equals(list[i], list[j]))
                    throw new ArgumentException($"search space: '{name}' lists {list[i]} twice");
        }
        return list;
    }

    /// <summary>The default space: the store resolutions, both colour modes, four widths,
    /// depths around the standard table, expansions {3,4,6}, kernels {3,5,7}.</summary>
    public static SearchSpace Default { get; } = new(
        [32, 48, 64, 96], [ColorMode.Gray, ColorMode.Rgb], [0.35, 0.5, 0.75, 1.0],
        [new(1, 1), new(1, 2), new(2, 3), new(2, 4), new(2, 3), new(2, 3), new(1, 1)],
        [3, 4, 6], [3, 5, 7]);

    /// <summary>The hardware-aware mode: the same network choices with the data
    /// configuration pinned to one resolution and one colour mode.</summary>
    public SearchSpace WithFixedData(int resolution, ColorMode color) =>
        new([resolution], [color], Widths, Depths, Expansions, Kernels);

    /// <summary>True when resolution and colour each have a single choice.</summary>
    public bool IsDataFixed => Resolutions.Count == 1 && Colors.Count == 1;

    /// <summary>Index of the first slot of <paramref name="stage"/>.</summary>
    public int SlotOffset(int stage) => _slotOffsets[stage];

    /// <summary>The stage a slot belongs to.</summary>
    public int StageOfSlot(int slot)
    {
        if ((uint)slot >= (uint)SlotCount) throw new ArgumentOutOfRangeException(nameof(slot));
        int s = 0;
        while (_slotOffsets[s + 1] <= slot) s++;
        return s;
    }

    /// <summary>The expansion ratio a slot may take: the first stage is fixed at the table's t = 1.</summary>
    internal bool ExpansionFixed(int slot) => slot < _slotOffsets[1];

    internal static int FixedFirstExpansion => MobileNetV2Spec.Table[0].T;

    /// <summary>Number of distinct networks (inactive slots not counted), for reporting; saturates at long.MaxValue.</summary>
    public double Cardinality()
    {
        double total = Resolutions.Count * Colors.Count * Widths.Count;
        for (int s = 0; s < StageCount; s++)
        {
            double stage = 0;
            double per = (s == 0 ? 1 : Expansions.Count) * Kernels.Count;
            for (int d = Depths[s].Min; d <= Depths[s].Max; d++) stage += Math.Pow(per, d);
            total *= stage;
        }
        return total;
    }

    public override string ToString() =>
        $"r[{string.Join(',', Resolutions)}] c[{string.Join(',', Colors)}] w[{string.Join(',', Widths.Select(Genome.FormatWidth))}] " +
        $"d[{string.Join(',', Depths)}] e[{string.Join(',', Expansions)}] k[{string.Join(',', Kernels)}]";
}
