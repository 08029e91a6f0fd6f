using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>The <c>search_space:</c> section. Only what the data stage needs is read today
/// (<see cref="Resolutions"/>); the other keys are accepted as they are and validated by the
/// search (issue 4), which extends this type.</summary>
public sealed record SearchSpaceConfig
{
    /// <summary>Input resolutions the search may choose (square side in pixels).</summary>
    public IReadOnlyList<int> Resolutions { get; init; } = [32, 48, 64, 96];

    public IReadOnlyList<Data.Preprocess.ColorMode> Colors { get; init; } = [Data.Preprocess.ColorMode.Gray, Data.Preprocess.ColorMode.Rgb];
    public IReadOnlyList<double> Widths { get; init; } = [0.35, 0.5, 0.75, 1.0];
    /// <summary>Block-count range of each of the seven MobileNetV2 stages (the first is fixed at 1).</summary>
    public IReadOnlyList<Search.DepthRange> Depths { get; init; } = Search.SearchSpace.Default.Depths;
    public IReadOnlyList<int> Expansions { get; init; } = [3, 4, 6];
    public IReadOnlyList<int> Kernels { get; init; } = [3, 5, 7];

    /// <summary>The search space these settings describe.</summary>
    public Search.SearchSpace ToSearchSpace() => new(Resolutions, Colors, Widths, Depths, Expansions, Kernels);

    /// <summary>The largest resolution: the side of the prepared store's images.</summary>
    public int MaxResolution => Resolutions.Max();

    public static SearchSpaceConfig Default { get; } = new();

    /// <summary>Keys the section may hold.</summary>
    public static readonly string[] Keys = ["resolutions", "colors", "widths", "kernels", "expansions", "depths"];

    public static SearchSpaceConfig Parse(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "search_space", Keys);
        if (map is null || !map.TryGet("resolutions", out var resNode)) return Default;
        var list = reader.List(resNode, "search_space.resolutions", "resolutions in pixels");
        if (list is null) return Default;
        if (list.Count == 0)
        {
            reader.Error(resNode, DiagnosticCodes.OutOfRange, "'search_space.resolutions' is empty: give at least one resolution, e.g. [64, 96]");
            return Default;
        }
        var values = new List<int>();
        for (int i = 0; i < list.Count; i++)
        {
            if (reader.Integer(list[i], $"search_space.resolutions[{i}]", 8, Data.Preprocess.PreprocessSpec.MaxSide) is long r)
            {
                if (values.Contains((int)r))
                    reader.Error(list[i], DiagnosticCodes.OutOfRange, $"'search_space.resolutions' lists {r} twice");
                else values.Add((int)r);
            }
        }
        return values.Count == list.Count ? new SearchSpaceConfig { Resolutions = values } : Default;
    }
}
