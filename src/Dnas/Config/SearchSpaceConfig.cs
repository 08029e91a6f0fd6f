using Dnas.Data.Preprocess;
using Dnas.Search;
using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>The <c>search_space:</c> section: the data genes (resolutions, colour modes) and the
/// network genes (widths, per-stage depth ranges, expansion ratios, kernels) the search may
/// choose from. Every key is optional; a missing one keeps its default.</summary>
public sealed record SearchSpaceConfig
{
    /// <summary>Input resolutions the search may choose (square side in pixels).</summary>
    public IReadOnlyList<int> Resolutions { get; init; } = [32, 48, 64, 96];

    public IReadOnlyList<ColorMode> Colors { get; init; } = [ColorMode.Gray, ColorMode.Rgb];
    public IReadOnlyList<double> Widths { get; init; } = [0.35, 0.5, 0.75, 1.0];
    /// <summary>Block-count range of each of the seven MobileNetV2 stages (the first is fixed at 1).</summary>
    public IReadOnlyList<DepthRange> Depths { get; init; } = SearchSpace.Default.Depths;
    public IReadOnlyList<int> Expansions { get; init; } = [3, 4, 6];
    public IReadOnlyList<int> Kernels { get; init; } = [3, 5, 7];

    /// <summary>The search space these settings describe.</summary>
    public SearchSpace ToSearchSpace() => new(Resolutions, Colors, Widths, Depths, Expansions, Kernels);

    /// <summary>The largest resolution: the side of the prepared store's images.</summary>
    public int MaxResolution => Resolutions.Max();

    public static SearchSpaceConfig Default { get; } = new();

    /// <summary>Keys the section may hold.</summary>
    public static readonly string[] Keys = ["resolutions", "colors", "widths", "depths", "expansions", "kernels"];

    /// <summary>Colour mode names as written in dnas.yaml.</summary>
    public static readonly IReadOnlyDictionary<string, ColorMode> ColorNames = new Dictionary<string, ColorMode>
    {
        ["gray"] = ColorMode.Gray,
        ["rgb"] = ColorMode.Rgb,
    };

    /// <summary>The supernet's depthwise kernels are centre crops of one 7x7 kernel.</summary>
    private static readonly int[] SupernetKernels = [3, 5, 7];

    /// <summary>Validates the <c>search_space:</c> node; a key whose value is unusable keeps its
    /// default (the errors stop the run anyway), so later checks see a consistent space.</summary>
    public static SearchSpaceConfig Parse(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "search_space", Keys);
        if (map is null) return Default;
        var c = Default;
        if (map.TryGet("resolutions", out var res)
            && reader.UniqueList<int>(res, "search_space.resolutions", "resolutions in pixels", "[64, 96]",
                (n, p) => (int?)reader.Integer(n, p, 8, PreprocessSpec.MaxSide)) is { } resolutions)
            c = c with { Resolutions = resolutions };
        if (map.TryGet("colors", out var col)
            && reader.UniqueList<ColorMode>(col, "search_space.colors", "colour modes", "[gray, rgb]",
                (n, p) => reader.Choice(n, p, ColorNames.Keys.ToArray()) is { } name ? ColorNames[name] : null) is { } colors)
            c = c with { Colors = colors };
        if (map.TryGet("widths", out var wid)
            && reader.UniqueList<double>(wid, "search_space.widths", "width multipliers", "[0.35, 0.5]", (n, p) => reader.PositiveNumber(n, p, 4)) is { } widths)
            c = c with { Widths = widths };
        if (map.TryGet("depths", out var dep) && ParseDepths(reader, dep) is { } depths)
            c = c with { Depths = depths };
        if (map.TryGet("expansions", out var exp)
            && reader.UniqueList<int>(exp, "search_space.expansions", "expansion ratios", "[3, 4, 6]",
                (n, p) => (int?)reader.Integer(n, p, 1, 16)) is { } expansions)
            c = c with { Expansions = expansions };
        if (map.TryGet("kernels", out var ker)
            && reader.UniqueList<int>(ker, "search_space.kernels", "depthwise kernel sizes", "[3, 5, 7]", (n, p) => Kernel(reader, n, p)) is { } kernels)
            c = c with { Kernels = kernels };
        return c;
    }

    private static int? Kernel(ConfigReader reader, YamlNode node, string path)
    {
        if (reader.Integer(node, path, 1, 99) is not long k) return null;
        if (SupernetKernels.Contains((int)k)) return (int)k;
        reader.Error(node, DiagnosticCodes.OutOfRange, $"'{path}' must be 3, 5 or 7 (the supernet's kernels are centre crops of one 7x7), got {k}");
        return null;
    }

    /// <summary>Seven entries, one per MobileNetV2 stage: a block count or [min, max].</summary>
    private static IReadOnlyList<DepthRange>? ParseDepths(ConfigReader reader, YamlNode node)
    {
        const string path = "search_space.depths";
        var list = reader.List(node, path, $"{SearchSpace.StageCount} block counts (a number or [min, max] per stage)");
        if (list is null) return null;
        if (list.Count != SearchSpace.StageCount)
        {
            reader.Error(node, DiagnosticCodes.OutOfRange,
                $"'{path}' must have {SearchSpace.StageCount} entries, one per MobileNetV2 stage, got {list.Count}; e.g. [1, [1, 2], [2, 3], [2, 4], [2, 3], [2, 3], 1]");
            return null;
        }
        var ranges = new List<DepthRange>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            if (StageDepth(reader, list[i], $"{path}[{i}]") is not DepthRange d) continue;
            if (i == 0 && d != new DepthRange(1, 1))
            {
                reader.Error(list[i], DiagnosticCodes.OutOfRange, $"'{path}[0]' must be 1: the first stage is a single block without expansion, got {d}");
                continue;
            }
            ranges.Add(d);
        }
        return ranges.Count == SearchSpace.StageCount ? ranges : null;
    }

    private static DepthRange? StageDepth(ConfigReader reader, YamlNode node, string path)
    {
        const long maxBlocks = 12;
        if (node is not YamlSequenceNode seq) return reader.Integer(node, path, 1, maxBlocks) is long n ? new DepthRange((int)n, (int)n) : null;
        if (seq.Children.Count != 2)
        {
            reader.Error(node, DiagnosticCodes.WrongType, $"'{path}' must be a block count or [min, max], got a list of {seq.Children.Count}");
            return null;
        }
        long? min = reader.Integer(seq.Children[0], path + "[0]", 1, maxBlocks), max = reader.Integer(seq.Children[1], path + "[1]", 1, maxBlocks);
        if (min is null || max is null) return null;
        if (min <= max) return new DepthRange((int)min, (int)max);
        reader.Error(node, DiagnosticCodes.OutOfRange, $"'{path}' is [{min}, {max}]: the minimum is above the maximum");
        return null;
    }
}
