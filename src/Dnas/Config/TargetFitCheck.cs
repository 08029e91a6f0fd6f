using System.Globalization;
using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Dnas.Search;
using Dnas.Supernet;
using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>Catches, before any training, a target that nothing in the search space fits: the
/// smallest system the search could choose (smallest width, depths, expansion and kernel at the
/// smallest resolution in gray, or at the fixed data configuration in hardware-aware mode) is
/// costed on the target like every candidate will be; if even it exceeds SRAM, flash or the
/// latency limit, the search could only return nothing after hours of work.</summary>
public static class TargetFitCheck
{
    /// <summary>The smallest subnet the configuration allows, with its input. The class count is
    /// the configured one or 2, the least any classifier has, so the cost is a lower bound.</summary>
    public static (SubnetSpec Subnet, int Resolution, ColorMode Color) SmallestSystem(DnasConfig config)
    {
        var space = config.SearchSpace;
        bool fixedData = config.Search.Mode == SearchMode.HardwareAware;
        int resolution = fixedData ? config.Search.FixedResolution ?? space.MaxResolution : space.Resolutions.Min();
        var color = fixedData ? config.Search.FixedColor ?? ColorMode.Rgb : space.Colors.Min();
        int kernel = space.Kernels.Min(), expand = space.Expansions.Min();
        var depths = space.Depths.Select(d => d.Min).ToArray();
        var blocks = new List<BlockChoice>();
        for (int st = 0; st < depths.Length; st++)
            for (int j = 0; j < depths[st]; j++) blocks.Add(new BlockChoice(st == 0 ? 1 : expand, kernel));
        var subnet = new SubnetSpec(color == ColorMode.Gray ? 1 : 3, space.Widths.Min(), depths, blocks, config.Data.Classes?.Count ?? 2);
        return (subnet, resolution, color);
    }

    /// <summary>The hardware cost of <see cref="SmallestSystem"/> on the configured target.</summary>
    public static ModelCost SmallestSystemCost(DnasConfig config)
    {
        var (subnet, r, color) = SmallestSystem(config);
        return ModelCost.Compute(subnet.ToMobileNetV2Spec(), new ModelInput(r, r, subnet.InChannels), config.Target.CameraFor(r, color), config.Target.Profile);
    }

    /// <summary>Reports (DNAS012) each limit the smallest system exceeds: SRAM and flash at
    /// <paramref name="at"/> (the target section, or wherever the file names the space), the
    /// latency limit at its own value.</summary>
    public static void Check(ConfigReader reader, DnasConfig config, YamlNode at, YamlNode? latencyNode)
    {
        var cost = SmallestSystemCost(config);
        var (subnet, r, color) = SmallestSystem(config);
        var target = config.Target.Profile;
        string what = string.Create(CultureInfo.InvariantCulture,
            $"the smallest system the search could choose ({r}x{r} {(color == ColorMode.Gray ? "gray" : "rgb")}, width {subnet.Width}, " +
            $"depths {string.Join(",", subnet.Depths)}, expansion {config.SearchSpace.Expansions.Min()}, kernel {config.SearchSpace.Kernels.Min()})");
        if (!cost.FitsSram)
            reader.Error(at, DiagnosticCodes.TargetTooSmall,
                $"{what} needs {Kb(cost.SramBytes)} SRAM (arena {Kb(cost.ArenaBytes)} + camera frame {Kb(cost.CameraBytes)}), target {target.Name} has {Kb(target.SramBytes)}: " +
                "nothing can fit. Choose a board with more SRAM, raise 'target.sram_kb', use a smaller camera frame, or allow smaller resolutions, widths or gray in 'search_space'");
        if (!cost.FitsFlash)
            reader.Error(at, DiagnosticCodes.TargetTooSmall,
                $"{what} needs {Kb(cost.FlashBytes)} flash (model {Kb(cost.ModelDataBytes)} + code {Kb(target.CodeSizeBytes)}), target {target.Name} has {Kb(target.FlashBytes)}: " +
                "nothing can fit. Choose a board with more flash, raise 'target.flash_kb', or allow smaller widths, depths or expansions in 'search_space'");
        double ms = cost.LatencySeconds * 1000;
        if (config.Target.LatencyLimitMs is double limit && ms > limit && latencyNode is not null)
            reader.Error(latencyNode, DiagnosticCodes.TargetTooSmall, string.Create(CultureInfo.InvariantCulture,
                $"{what} takes {ms:0.##} ms on {target.Name} at {target.ClockHz / 1e6:0.#} MHz, above 'target.latency_ms' ({limit} ms): nothing can meet it.") +
                " Raise the limit, choose a faster board, or allow smaller resolutions, widths or depths in 'search_space'");
    }

    private static string Kb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB");
}
