using Dnas.Data.Preprocess;
using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

public sealed partial record SearchConfig
{
    public static readonly IReadOnlyDictionary<string, SearchMode> ModeNames = new Dictionary<string, SearchMode>
    {
        ["data-aware"] = SearchMode.DataAware,
        ["hardware-aware"] = SearchMode.HardwareAware,
    };

    /// <summary>Objective names as written in dnas.yaml and the cost each minimises.</summary>
    public static readonly IReadOnlyDictionary<string, string> ObjectiveNames = new Dictionary<string, string>
    {
        ["sram"] = "sram",
        ["flash"] = "flash",
        ["latency"] = "latency_ms",
    };

    private static readonly string[] CommonKeys =
        ["mode", "population", "generations", "time_budget_minutes", "seed", "objective", "calibration_images", "validation_images", "scratch_steps"];

    /// <summary>Keys that only the hardware-aware mode reads (they pin the data configuration).</summary>
    private static readonly string[] FixedDataKeys = ["fixed_resolution", "fixed_color"];

    public static IReadOnlyList<string> Keys { get; } = [.. CommonKeys, .. FixedDataKeys];

    /// <summary>Validates the <c>search:</c> node against the already-parsed search space and
    /// data (the fixed resolution must be in the prepared store). In hardware-aware mode the
    /// fixed data configuration defaults to the largest search-space resolution in RGB.</summary>
    public static SearchConfig Parse(ConfigReader reader, YamlNode node, DnasConfig config)
    {
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, DiagnosticCodes.WrongType, $"'search' must be a mapping of keys to values, got {ConfigReader.Describe(node)}");
            return Default;
        }
        // The mode decides whether the fixed_* keys apply, so read it first.
        SearchMode? mode = SearchMode.DataAware;
        foreach (var (k, v) in mapping.Children)
            if (k is YamlScalarNode { Value: "mode" })
                mode = reader.Choice(v, "search.mode", ModeNames.Keys.ToArray()) is { } name ? ModeNames[name] : null;
        var map = reader.Map(node, "search", mode == SearchMode.DataAware ? CommonKeys : Keys,
            name => FixedDataKeys.Contains(name) ? "applies only to 'mode: hardware-aware' (data-aware search chooses the resolution and colour itself)" : null);
        if (map is null) return Default;

        var c = Default with { Mode = mode ?? SearchMode.DataAware };
        if (map.TryGet("population", out var p) && reader.Integer(p, "search.population", 2, 100_000) is long population) c = c with { Population = (int)population };
        if (map.TryGet("generations", out var g) && reader.Integer(g, "search.generations", 0, 1_000_000) is long generations) c = c with { Generations = (int)generations };
        if (map.TryGet("time_budget_minutes", out var t) && reader.PositiveNumber(t, "search.time_budget_minutes", 100_000) is double minutes)
            c = c with { TimeBudgetMinutes = minutes };
        if (map.TryGet("seed", out var s) && reader.Integer(s, "search.seed", 0, long.MaxValue) is long seed) c = c with { Seed = (ulong)seed };
        if (map.TryGet("objective", out var o) && reader.Choice(o, "search.objective", ObjectiveNames.Keys.ToArray()) is { } objective)
            c = c with { Objective = ObjectiveNames[objective] };
        if (map.TryGet("calibration_images", out var ci) && reader.Integer(ci, "search.calibration_images", 1, 10_000_000) is long calibration)
            c = c with { CalibrationImages = (int)calibration };
        if (map.TryGet("validation_images", out var vi) && reader.Integer(vi, "search.validation_images", 0, 10_000_000) is long validation)
            c = c with { ValidationImages = (int)validation };
        if (map.TryGet("scratch_steps", out var ss) && reader.Integer(ss, "search.scratch_steps", 1, 10_000_000) is long scratch)
            c = c with { ScratchSteps = (int)scratch };
        return c.Mode == SearchMode.HardwareAware ? FixedData(reader, map, c, config) : c;
    }

    private static SearchConfig FixedData(ConfigReader reader, ConfigMap map, SearchConfig c, DnasConfig config)
    {
        int resolution = config.SearchSpace.MaxResolution;
        if (map.TryGet("fixed_resolution", out var r) && reader.Integer(r, "search.fixed_resolution", 8, PreprocessSpec.MaxSide) is long fixedRes)
        {
            // Any resolution the store can be resized down to will do; it need not be a search-space one.
            if (fixedRes <= config.StoreResolution) resolution = (int)fixedRes;
            else reader.Error(r, DiagnosticCodes.OutOfRange,
                $"'search.fixed_resolution' ({fixedRes}) is above the side of the prepared store's images ({config.StoreResolution}); lower it, or set 'data.resolution' to at least {fixedRes}");
        }
        var color = ColorMode.Rgb;
        if (map.TryGet("fixed_color", out var col) && reader.Choice(col, "search.fixed_color", SearchSpaceConfig.ColorNames.Keys.ToArray()) is { } name)
            color = SearchSpaceConfig.ColorNames[name];
        return c with { FixedResolution = resolution, FixedColor = color };
    }
}
