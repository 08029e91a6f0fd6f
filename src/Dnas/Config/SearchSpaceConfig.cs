using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>The <c>search_space:</c> section. Only what the data stage needs is read today
/// (<see cref="Resolutions"/>); the other keys are accepted as they are and validated by the
/// search (issue 4), which extends this type.</summary>
public sealed record SearchSpaceConfig
{
    /// <summary>Input resolutions the search may choose (square side in pixels).</summary>
    public IReadOnlyList<int> Resolutions { get; init; } = [32, 48, 64, 96];

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
