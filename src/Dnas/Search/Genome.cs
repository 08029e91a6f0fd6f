using System.Globalization;
using System.Text;
using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Data.Preprocess;

namespace Dnas.Search;

/// <summary>One candidate of a <see cref="SearchSpace"/>: resolution, colour mode, width
/// multiplier, depth per stage and an expansion ratio and kernel per block slot. Slots beyond
/// a stage's depth are inactive: they carry genetic material (a later depth mutation may wake
/// them) but do not shape the network, so they are left out of <see cref="Key"/> — two genomes
/// with the same key build the same network. Immutable.</summary>
public sealed class Genome : IEquatable<Genome>
{
    public SearchSpace Space { get; }
    public int Resolution { get; }
    public ColorMode Color { get; }
    public double Width { get; }

    private readonly int[] _depths, _expansions, _kernels;

    public IReadOnlyList<int> Depths => _depths;
    /// <summary>Expansion ratio per slot (<see cref="SearchSpace.SlotCount"/> entries, active or not).</summary>
    public IReadOnlyList<int> Expansions => _expansions;
    /// <summary>Depthwise kernel per slot (<see cref="SearchSpace.SlotCount"/> entries, active or not).</summary>
    public IReadOnlyList<int> Kernels => _kernels;

    /// <summary>The canonical text of the network, e.g. <c>r96-rgb-w0.35-d1,2,3,4,3,3,1-e1,6,...-k3,5,...</c>
    /// (active slots only, stage by stage). Stable across runs and machines: use it for dedup and logs.</summary>
    public string Key { get; }

    public int InChannels => Color == ColorMode.Gray ? 1 : 3;
    public int BlockCount => _depths.Sum();

    public Genome(SearchSpace space, int resolution, ColorMode color, double width,
        IReadOnlyList<int> depths, IReadOnlyList<int> expansions, IReadOnlyList<int> kernels)
    {
        ArgumentNullException.ThrowIfNull(space);
        Space = space;
        if (!space.Resolutions.Contains(resolution)) throw new ArgumentException($"genome: resolution {resolution} is not in the search space");
        if (!space.Colors.Contains(color)) throw new ArgumentException($"genome: colour {color} is not in the search space");
        if (!space.Widths.Contains(width)) throw new ArgumentException($"genome: width {width} is not in the search space");
        if (depths.Count != SearchSpace.StageCount) throw new ArgumentException($"genome: need {SearchSpace.StageCount} depths, got {depths.Count}");
        if (expansions.Count != space.SlotCount || kernels.Count != space.SlotCount)
            throw new ArgumentException($"genome: need {space.SlotCount} expansion and kernel slots, got {expansions.Count} and {kernels.Count}");
        for (int s = 0; s < SearchSpace.StageCount; s++)
            if (depths[s] < space.Depths[s].Min || depths[s] > space.Depths[s].Max)
                throw new ArgumentException($"genome: stage {s} depth {depths[s]} is outside {space.Depths[s]}");
        for (int i = 0; i < space.SlotCount; i++)
        {
            bool ok = space.ExpansionFixed(i) ? expansions[i] == SearchSpace.FixedFirstExpansion : space.Expansions.Contains(expansions[i]);
            if (!ok) throw new ArgumentException($"genome: slot {i} expansion {expansions[i]} is not in the search space");
            if (!space.Kernels.Contains(kernels[i])) throw new ArgumentException($"genome: slot {i} kernel {kernels[i]} is not in the search space");
        }
        Resolution = resolution; Color = color; Width = width;
        _depths = [.. depths]; _expansions = [.. expansions]; _kernels = [.. kernels];
        Key = BuildKey();
    }

    internal static string FormatWidth(double w) => w.ToString("0.######", CultureInfo.InvariantCulture);

    private string BuildKey()
    {
        var sb = new StringBuilder(96);
        sb.Append('r').Append(Resolution.ToString(CultureInfo.InvariantCulture))
          .Append(Color == ColorMode.Gray ? "-gray" : "-rgb")
          .Append("-w").Append(FormatWidth(Width))
          .Append("-d").AppendJoin(',', _depths)
          .Append("-e").AppendJoin(',', ActiveSlots().Select(i => _expansions[i]))
          .Append("-k").AppendJoin(',', ActiveSlots().Select(i => _kernels[i]));
        return sb.ToString();
    }

    /// <summary>Slot indices of the blocks the network has, in order.</summary>
    public IEnumerable<int> ActiveSlots()
    {
        for (int s = 0; s < SearchSpace.StageCount; s++)
            for (int b = 0; b < _depths[s]; b++) yield return Space.SlotOffset(s) + b;
    }

    /// <summary>Active expansion ratios of one stage.</summary>
    public IReadOnlyList<int> StageExpansions(int stage) => _expansions.AsSpan(Space.SlotOffset(stage), _depths[stage]).ToArray();
    /// <summary>Active kernels of one stage.</summary>
    public IReadOnlyList<int> StageKernels(int stage) => _kernels.AsSpan(Space.SlotOffset(stage), _depths[stage]).ToArray();

    /// <summary>The network: the first <c>depth</c> blocks of each stage, the table's stage
    /// strides (first block of a stage), channels MakeDivisible(c · width); stem and head as
    /// <see cref="MobileNetV2Spec.Standard"/>.</summary>
    public MobileNetV2Spec ToSpec(int classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "need at least one class");
        var blocks = new List<BlockSpec>(BlockCount);
        for (int s = 0; s < SearchSpace.StageCount; s++)
        {
            var (_, c, _, stride) = MobileNetV2Spec.Table[s];
            int outCh = MobileNetV2Spec.MakeDivisible(c * Width);
            int off = Space.SlotOffset(s);
            for (int b = 0; b < _depths[s]; b++)
                blocks.Add(new BlockSpec(_expansions[off + b], _kernels[off + b], outCh, b == 0 ? stride : 1));
        }
        return new MobileNetV2Spec(InChannels, MobileNetV2Spec.MakeDivisible(32 * Width), blocks,
            MobileNetV2Spec.MakeDivisible(1280 * Math.Max(1.0, Width)), classes);
    }

    /// <summary>A uniformly random genome (each gene uniform over its choices, depth uniform over its range).</summary>
    public static Genome Random(SearchSpace space, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(space); ArgumentNullException.ThrowIfNull(rng);
        int res = Pick(space.Resolutions, rng);
        var color = Pick(space.Colors, rng);
        double width = Pick(space.Widths, rng);
        var depths = new int[SearchSpace.StageCount];
        for (int s = 0; s < depths.Length; s++) depths[s] = space.Depths[s].Min + rng.NextInt(space.Depths[s].Count);
        var e = new int[space.SlotCount];
        var k = new int[space.SlotCount];
        for (int i = 0; i < e.Length; i++)
        {
            e[i] = space.ExpansionFixed(i) ? SearchSpace.FixedFirstExpansion : Pick(space.Expansions, rng);
            k[i] = Pick(space.Kernels, rng);
        }
        return new Genome(space, res, color, width, depths, e, k);
    }

    private static T Pick<T>(IReadOnlyList<T> items, Rng rng) => items.Count == 1 ? items[0] : items[rng.NextInt(items.Count)];

    /// <summary>A different value from <paramref name="items"/> (the current one if it is the only choice).</summary>
    private static T Other<T>(IReadOnlyList<T> items, T current, Rng rng)
    {
        if (items.Count == 1) return items[0];
        int at = -1;
        for (int i = 0; i < items.Count; i++) if (EqualityComparer<T>.Default.Equals(items[i], current)) { at = i; break; }
        if (at < 0) return items[rng.NextInt(items.Count)];
        int j = rng.NextInt(items.Count - 1);
        return items[j >= at ? j + 1 : j];
    }

    /// <summary>Each gene, with probability <paramref name="perGene"/>, moves to another of its
    /// choices (genes with one choice — pinned data genes, fixed depths — never change).
    /// Inactive slots mutate too. One draw per gene in a fixed order, so it is deterministic.</summary>
    public Genome Mutate(Rng rng, double perGene)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(perGene >= 0 && perGene <= 1)) throw new ArgumentOutOfRangeException(nameof(perGene), perGene, "must be in [0, 1]");
        var sp = Space;
        int res = rng.NextDouble() < perGene ? Other(sp.Resolutions, Resolution, rng) : Resolution;
        var color = rng.NextDouble() < perGene ? Other(sp.Colors, Color, rng) : Color;
        double width = rng.NextDouble() < perGene ? Other(sp.Widths, Width, rng) : Width;
        var depths = (int[])_depths.Clone();
        for (int s = 0; s < depths.Length; s++)
        {
            if (rng.NextDouble() < perGene && sp.Depths[s].Count > 1)
            {
                int j = rng.NextInt(sp.Depths[s].Count - 1);
                int cur = depths[s] - sp.Depths[s].Min;
                depths[s] = sp.Depths[s].Min + (j >= cur ? j + 1 : j);
            }
        }
        var e = (int[])_expansions.Clone();
        var k = (int[])_kernels.Clone();
        for (int i = 0; i < e.Length; i++)
        {
            if (rng.NextDouble() < perGene && !sp.ExpansionFixed(i)) e[i] = Other(sp.Expansions, e[i], rng);
            if (rng.NextDouble() < perGene) k[i] = Other(sp.Kernels, k[i], rng);
        }
        return new Genome(sp, res, color, width, depths, e, k);
    }

    /// <summary>Uniform crossover: each gene of the first child comes from either parent with
    /// probability ½, the second child takes the other parent's gene.</summary>
    public static (Genome, Genome) Crossover(Genome a, Genome b, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b); ArgumentNullException.ThrowIfNull(rng);
        if (!ReferenceEquals(a.Space, b.Space)) throw new ArgumentException("crossover: parents come from different search spaces");
        bool Coin() => rng.NextDouble() < 0.5;
        bool sw = Coin();
        int r1 = sw ? b.Resolution : a.Resolution, r2 = sw ? a.Resolution : b.Resolution;
        sw = Coin();
        var c1 = sw ? b.Color : a.Color; var c2 = sw ? a.Color : b.Color;
        sw = Coin();
        double w1 = sw ? b.Width : a.Width, w2 = sw ? a.Width : b.Width;
        var d1 = new int[SearchSpace.StageCount]; var d2 = new int[SearchSpace.StageCount];
        for (int s = 0; s < d1.Length; s++)
        {
            sw = Coin();
            d1[s] = sw ? b._depths[s] : a._depths[s]; d2[s] = sw ? a._depths[s] : b._depths[s];
        }
        int n = a.Space.SlotCount;
        var e1 = new int[n]; var e2 = new int[n]; var k1 = new int[n]; var k2 = new int[n];
        for (int i = 0; i < n; i++)
        {
            sw = Coin();
            e1[i] = sw ? b._expansions[i] : a._expansions[i]; e2[i] = sw ? a._expansions[i] : b._expansions[i];
            sw = Coin();
            k1[i] = sw ? b._kernels[i] : a._kernels[i]; k2[i] = sw ? a._kernels[i] : b._kernels[i];
        }
        return (new Genome(a.Space, r1, c1, w1, d1, e1, k1), new Genome(a.Space, r2, c2, w2, d2, e2, k2));
    }

    /// <summary>Rebuilds a genome from its <see cref="Key"/>. Inactive slots, which the key does
    /// not hold, take the space's first expansion and kernel.</summary>
    public static Genome Parse(SearchSpace space, string key)
    {
        ArgumentNullException.ThrowIfNull(space); ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('-');
        if (parts.Length != 6 || parts[0].Length < 2 || parts[0][0] != 'r' || parts[2].Length < 2 || parts[2][0] != 'w'
            || !parts[3].StartsWith('d') || !parts[4].StartsWith('e') || !parts[5].StartsWith('k'))
            throw new FormatException($"genome key '{key}' is not of the form r<res>-<gray|rgb>-w<width>-d<depths>-e<expansions>-k<kernels>");
        try
        {
            int res = int.Parse(parts[0].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
            var color = parts[1] switch { "gray" => ColorMode.Gray, "rgb" => ColorMode.Rgb, _ => throw new FormatException($"colour '{parts[1]}'") };
            double width = double.Parse(parts[2].AsSpan(1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            int[] Ints(string s) => s.Length == 1 ? [] : s[1..].Split(',').Select(x => int.Parse(x, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            var depths = Ints(parts[3]);
            var ae = Ints(parts[4]);
            var ak = Ints(parts[5]);
            if (depths.Length != SearchSpace.StageCount) throw new FormatException($"{depths.Length} depths");
            if (ae.Length != depths.Sum() || ak.Length != depths.Sum()) throw new FormatException("slot count does not match the depths");
            if (depths.Where((d, s) => d > space.Depths[s].Max || d < 0).Any()) throw new FormatException("depth outside the search space");
            var e = new int[space.SlotCount];
            var k = new int[space.SlotCount];
            for (int i = 0; i < e.Length; i++) { e[i] = space.ExpansionFixed(i) ? SearchSpace.FixedFirstExpansion : space.Expansions[0]; k[i] = space.Kernels[0]; }
            int at = 0;
            for (int s = 0; s < depths.Length; s++)
                for (int b = 0; b < depths[s]; b++, at++) { e[space.SlotOffset(s) + b] = ae[at]; k[space.SlotOffset(s) + b] = ak[at]; }
            // A width that does not round-trip through the key's formatting would not be found by Contains.
            double w = space.Widths.FirstOrDefault(x => FormatWidth(x) == FormatWidth(width), width);
            var g = new Genome(space, res, color, w, depths, e, k);
            if (g.Key != key) throw new FormatException($"not canonical (canonical form '{g.Key}')");
            return g;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"genome key '{key}' does not describe a genome of this search space: {ex.Message}", ex);
        }
    }

    public bool Equals(Genome? other) => other is not null && Key == other.Key;
    public override bool Equals(object? obj) => Equals(obj as Genome);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);
    public override string ToString() => Key;
}
