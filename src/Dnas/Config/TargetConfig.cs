using Dnas.Data.Preprocess;
using Dnas.Hardware;
using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>The <c>target:</c> section: a built-in board (<c>board: nano33ble</c>), optionally
/// with its limits overridden, or a custom board (<c>name</c> with <c>flash_kb</c>,
/// <c>sram_kb</c>, <c>clock_mhz</c>; cycle costs from <c>like:</c>, a built-in board whose
/// cost coefficients to use, default nano33ble); plus <c>latency_ms</c>, the latency limit
/// (none by default), and <c>camera</c>, the frame the firmware receives.</summary>
public sealed record TargetConfig(TargetProfile Profile, double? LatencyLimitMs)
{
    public static TargetConfig Default { get; } = new(Targets.Nano33Ble, null);

    public static readonly string[] Keys = ["board", "name", "like", "flash_kb", "sram_kb", "clock_mhz", "latency_ms", "camera"];

    /// <summary>The camera frame (<c>target.camera</c>); null = none configured, see <see cref="CameraFor"/>.</summary>
    public CameraFrame? Camera { get; init; }

    /// <summary>The frame buffer counted in a model's SRAM: the configured camera, else the least
    /// a camera must deliver for this input (GRAY8 for gray, RGB565 for RGB, at the model's
    /// resolution), so an unconfigured camera never makes a model look cheaper than it is.</summary>
    public CameraFrame CameraFor(int resolution, ColorMode color) =>
        Camera ?? new CameraFrame(resolution, resolution, color == ColorMode.Gray ? PixelFormat.Gray8 : PixelFormat.Rgb565);

    public static readonly IReadOnlyDictionary<string, PixelFormat> FormatNames = new Dictionary<string, PixelFormat>
    {
        ["rgb565"] = PixelFormat.Rgb565,
        ["rgb888"] = PixelFormat.Rgb888,
        ["yuv422"] = PixelFormat.Yuv422,
        ["gray8"] = PixelFormat.Gray8,
    };

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
        CameraFrame? camera = map.TryGet("camera", out var cam) ? ParseCamera(reader, cam) : null;
        return new TargetConfig(profile, latency) { Camera = camera };
    }

    /// <summary><c>camera: { width: 160, height: 120, format: rgb565 }</c>; the format defaults to
    /// RGB565, what the common microcontroller camera modules (OV7670/OV7675) deliver.</summary>
    private static CameraFrame? ParseCamera(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "target.camera", ["width", "height", "format"]);
        if (map is null) return null;
        long? Side(string key)
        {
            if (map.TryGet(key, out var n)) return reader.Integer(n, map.Child(key), 1, 8192);
            reader.Error(node, DiagnosticCodes.MissingKey, $"'target.camera' needs '{key}' (pixels)");
            return null;
        }
        long? width = Side("width"), height = Side("height");
        var format = PixelFormat.Rgb565;
        if (map.TryGet("format", out var f))
        {
            if (reader.Choice(f, "target.camera.format", FormatNames.Keys.ToArray()) is { } name) format = FormatNames[name];
            else return null;
        }
        return width is null || height is null ? null : new CameraFrame((int)width, (int)height, format);
    }
}
