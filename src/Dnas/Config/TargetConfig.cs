using Dnas.Hardware;
using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>The <c>target:</c> section: a built-in board (<c>board: nano33ble</c>), optionally
/// with its limits overridden, or a custom board (<c>name</c> with <c>flash_kb</c>,
/// <c>sram_kb</c>, <c>clock_mhz</c>; cycle costs from <c>like:</c>, a built-in board whose
/// cost coefficients to use, default nano33ble); plus <c>latency_ms</c>, the latency limit
/// (none by default).</summary>
public sealed record TargetConfig(TargetProfile Profile, double? LatencyLimitMs)
{
    public static TargetConfig Default { get; } = new(Targets.Nano33Ble, null);

    public static readonly string[] Keys = ["board", "name", "like", "flash_kb", "sram_kb", "clock_mhz", "latency_ms"];

    public static TargetConfig Parse(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "target", Keys);
        if (map is null) return Default;
        bool hasBoard = map.TryGet("board", out var boardNode), hasName = map.TryGet("name", out var nameNode);
        if (hasBoard && hasName)
        {
            reader.Error(map.KeyNode("name"), DiagnosticCodes.Conflict, "give either 'target.board' (a built-in board) or 'target.name' (a custom board), not both");
            return Default;
        }
        if (!hasBoard && !hasName)
        {
            reader.Error(node, DiagnosticCodes.MissingKey, $"'target' needs 'board' ({string.Join(", ", Targets.Names)}) or, for a custom board, 'name' with flash_kb, sram_kb and clock_mhz");
            return Default;
        }
        TargetProfile profile = Targets.Nano33Ble;
        if (hasBoard)
        {
            if (reader.Choice(boardNode, "target.board", Targets.Names) is { } b) profile = Targets.Get(b);
        }
        else
        {
            if (map.TryGet("like", out var likeNode) && reader.Choice(likeNode, "target.like", Targets.Names) is { } like) profile = Targets.Get(like);
            if (reader.String(nameNode, "target.name") is { } n) profile = profile with { Name = n, Description = n + " (custom)" };
            foreach (var key in new[] { "flash_kb", "sram_kb", "clock_mhz" })
                if (!map.Contains(key)) reader.Error(node, DiagnosticCodes.MissingKey, $"a custom target needs 'target.{key}'");
        }
        if (map.TryGet("flash_kb", out var f) && reader.Integer(f, "target.flash_kb", 1, 1L << 24) is long flash) profile = profile with { FlashBytes = flash * 1024 };
        if (map.TryGet("sram_kb", out var s) && reader.Integer(s, "target.sram_kb", 1, 1L << 22) is long sram) profile = profile with { SramBytes = sram * 1024 };
        if (map.TryGet("clock_mhz", out var c) && reader.Number(c, "target.clock_mhz", 0.001, 10_000) is double mhz) profile = profile with { ClockHz = (long)Math.Round(mhz * 1e6) };
        double? latency = null;
        if (map.TryGet("latency_ms", out var l) && reader.Number(l, "target.latency_ms", 1e-3, 1e7) is double ms) latency = ms;
        return new TargetConfig(profile, latency);
    }
}
