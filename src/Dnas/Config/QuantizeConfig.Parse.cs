using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

public sealed partial record QuantizeConfig
{
    public static readonly string[] Keys = ["calibration_images", "ranges", "percentile"];

    public static readonly IReadOnlyDictionary<string, RangeMethod> RangeNames = new Dictionary<string, RangeMethod>
    {
        ["minmax"] = RangeMethod.MinMax,
        ["percentile"] = RangeMethod.Percentile,
    };

    /// <summary>Validates the <c>quantize:</c> node. <c>percentile</c> applies only to
    /// <c>ranges: percentile</c>.</summary>
    public static QuantizeConfig Parse(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "quantize", Keys);
        if (map is null) return Default;
        var c = Default;
        if (map.TryGet("calibration_images", out var ci) && reader.Integer(ci, "quantize.calibration_images", 1, 10_000_000) is long images)
            c = c with { CalibrationImages = (int)images };
        if (map.TryGet("ranges", out var r) && reader.Choice(r, "quantize.ranges", RangeNames.Keys.ToArray()) is { } ranges)
            c = c with { Ranges = RangeNames[ranges] };
        if (map.TryGet("percentile", out var p) && reader.Number(p, "quantize.percentile", 50, 100) is double percentile)
        {
            if (percentile <= 50) reader.Error(p, DiagnosticCodes.OutOfRange, $"'quantize.percentile' must be above 50, got {percentile}");
            else if (c.Ranges != RangeMethod.Percentile)
                reader.Error(map.KeyNode("percentile"), DiagnosticCodes.NotApplicable, "'quantize.percentile' applies only to 'ranges: percentile'; remove it or set 'ranges: percentile'");
            else c = c with { Percentile = percentile };
        }
        return c;
    }

    /// <summary>The settings as stable text (part of the export stage's input hash).</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"calibration_images={CalibrationImages} ranges={Ranges} percentile={Percentile:R}");
}
