namespace Dnas.Report.Svg;

/// <summary>Marker shapes, in the order they are handed out to shape groups.</summary>
public enum MarkerShape { Circle, Triangle, Square, Diamond, TriangleDown }

/// <summary>One scatter point. <paramref name="ColorGroup"/> picks the fill colour (e.g. the input
/// resolution), <paramref name="ShapeGroup"/> the marker (e.g. gray or RGB); <paramref name="Tooltip"/>
/// becomes an SVG &lt;title&gt; shown on hover.</summary>
public readonly record struct PlotPoint(double X, double Y, string ColorGroup = "", string ShapeGroup = "", string? Tooltip = null);

/// <summary>One axis: its label, unit, scale and optional fixed bounds.</summary>
public sealed class PlotAxis
{
    public string Label { get; set; } = "";
    public AxisUnit Unit { get; set; } = AxisUnit.None;
    /// <summary>Logarithmic scale; points with a value ≤ 0 on this axis are skipped and counted.</summary>
    public bool Log { get; set; }
    /// <summary>Fixed lower bound; otherwise taken from the data with a small margin.</summary>
    public double? Min { get; set; }
    /// <summary>Fixed upper bound; otherwise taken from the data with a small margin.</summary>
    public double? Max { get; set; }
}

public enum LineOrientation { Vertical, Horizontal }

/// <summary>A dashed, labelled constraint line, e.g. the SRAM limit (vertical, at x = limit).</summary>
public sealed record ConstraintLine(LineOrientation Orientation, double Value, string Label);

/// <summary>A further Pareto front (minimise x, maximise y), e.g. a second search's, drawn as a
/// staircase in the colour of <paramref name="ColorGroup"/> (black when no point has that group).</summary>
public sealed record FrontSeries(string Label, IReadOnlyList<(double X, double Y)> Points, string ColorGroup = "");

/// <summary>The highlighted chosen point: drawn larger, outlined and labelled.</summary>
public sealed record ChosenPoint(double X, double Y, string Label, string ColorGroup = "", string ShapeGroup = "");

/// <summary>What rendering saw: points drawn, and points skipped because a coordinate was NaN, ±∞, or
/// not positive on a log axis.</summary>
public readonly record struct RenderStats(int Drawn, int Skipped);
