using System.Text;
using static Dnas.Report.Svg.SvgText;

namespace Dnas.Report.Svg;

/// <summary>A dependency-free SVG scatter plot for the run report: coloured and shaped point groups,
/// a Pareto staircase, constraint lines and a highlighted chosen point. The output is a standalone
/// SVG document, deterministic for the same input (numbers in invariant culture, groups in a fixed
/// order), so reports diff cleanly.</summary>
public sealed class ScatterPlot
{
    /// <summary>Okabe-Ito colours (colour-blind safe), black left out: it is kept for overlays.</summary>
    public static readonly IReadOnlyList<string> Palette =
        ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442"];

    private const double TickFont = 11, LabelFont = 12.5, TitleFont = 15, LegendFont = 11.5;
    private const double MarkerRadius = 4.2, ChosenRadius = 7.5;
    private const string Ink = "#222222", Grid = "#E6E6E6", MinorGrid = "#F3F3F3", Muted = "#555555";

    public string Title { get; set; } = "";
    public PlotAxis X { get; } = new();
    public PlotAxis Y { get; } = new();
    public int Width { get; set; } = 800;
    public int Height { get; set; } = 480;
    public List<PlotPoint> Points { get; } = [];

    /// <summary>Legend heading for the colour groups (e.g. "Resolution").</summary>
    public string ColorTitle { get; set; } = "";
    /// <summary>Legend heading for the marker groups (e.g. "Colour mode").</summary>
    public string ShapeTitle { get; set; } = "";
    /// <summary>Preferred order of colour groups; groups not listed follow in order of first appearance.</summary>
    public List<string> ColorOrder { get; } = [];
    /// <summary>Preferred order of shape groups; groups not listed follow in order of first appearance.</summary>
    public List<string> ShapeOrder { get; } = [];
    /// <summary>Fixed shapes for some groups (e.g. "gray" → Circle); others get the next unused shape.</summary>
    public Dictionary<string, MarkerShape> ShapeOf { get; } = [];

    /// <summary>Points of the Pareto front (minimise x, maximise y); drawn as a staircase.</summary>
    public List<(double X, double Y)> ParetoFront { get; } = [];
    public string ParetoLabel { get; set; } = "Pareto front";
    /// <summary>More fronts to compare with (e.g. hardware-aware vs data-aware search), each in its group's colour.</summary>
    public List<FrontSeries> MoreFronts { get; } = [];
    public List<ConstraintLine> Constraints { get; } = [];
    public ChosenPoint? Chosen { get; set; }
    /// <summary>Prefix for element ids, so several plots can be inlined into one HTML page.</summary>
    public string IdPrefix { get; set; } = "plot";

    public ScatterPlot AddPoint(double x, double y, string colorGroup = "", string shapeGroup = "", string? tooltip = null)
    {
        Points.Add(new PlotPoint(x, y, colorGroup, shapeGroup, tooltip));
        return this;
    }

    public string Render() => Render(out _);

    /// <summary>The SVG document; <paramref name="stats"/> counts drawn and skipped points.</summary>
    public string Render(out RenderStats stats)
    {
        if (Width < 200 || Height < 150) throw new ArgumentOutOfRangeException(nameof(Width), "A plot needs at least 200×150 pixels.");
        var pts = new List<PlotPoint>(Points.Count);
        int skipped = 0;
        foreach (var p in Points)
        {
            if (Usable(p.X, X) && Usable(p.Y, Y)) pts.Add(p);
            else skipped++;
        }
        stats = new RenderStats(pts.Count, skipped);

        var colors = Order(pts.Select(p => p.ColorGroup).Append(Chosen?.ColorGroup), ColorOrder);
        var shapeGroups = Order(pts.Select(p => p.ShapeGroup).Append(Chosen?.ShapeGroup), ShapeOrder);
        var shapes = AssignShapes(shapeGroups);
        var stair = Staircase(ParetoFront.Where(p => Usable(p.X, X) && Usable(p.Y, Y)));
        var more = MoreFronts.Select(f => (f.Label, Stair: Staircase(f.Points.Where(p => Usable(p.X, X) && Usable(p.Y, Y))), Color: FrontColor(f, colors)))
            .Where(f => f.Stair.Count > 0).ToList();
        var chosen = Chosen is { } c && Usable(c.X, X) && Usable(c.Y, Y) ? c : null;

        // Data ranges: points, front, chosen point, and constraint lines (a limit must be visible).
        var xs = pts.Select(p => p.X).Concat(stair.Select(s => s.X)).Concat(more.SelectMany(f => f.Stair.Select(s => s.X)));
        var ys = pts.Select(p => p.Y).Concat(stair.Select(s => s.Y)).Concat(more.SelectMany(f => f.Stair.Select(s => s.Y)));
        if (chosen is not null) { xs = xs.Append(chosen.X); ys = ys.Append(chosen.Y); }
        xs = xs.Concat(Constraints.Where(k => k.Orientation == LineOrientation.Vertical && Usable(k.Value, X)).Select(k => k.Value));
        ys = ys.Concat(Constraints.Where(k => k.Orientation == LineOrientation.Horizontal && Usable(k.Value, Y)).Select(k => k.Value));
        var xd = Domain(xs, X);
        var yd = Domain(ys, Y);

        // Legend (outside the plot, on the right, so it never covers points).
        var legend = BuildLegend(colors, shapeGroups, stair.Count > 0, more.Select(f => (f.Label, f.Color)).ToList(), chosen);
        int legendRows = Math.Max(1, (int)((Height - (Title.Length > 0 ? 40 : 16) - 12) / 18));
        if (legend.Count > legendRows)
        {
            // Too many groups for the height: keep what fits and say how many were left out.
            int hidden = legend.Count - (legendRows - 1);
            legend = legend.Take(legendRows - 1).Append(new LegendEntry($"+{I(hidden)} more", true, 'm', 0)).ToList();
        }
        double legendWidth = legend.Count == 0 ? 0 : legend.Max(e => e.Heading ? TextWidth(e.Text, LegendFont) : 22 + TextWidth(e.Text, LegendFont)) + 12;
        legendWidth = Math.Min(legendWidth, Width * 0.35);

        string footnote = skipped > 0
            ? $"{I(skipped)} point{(skipped == 1 ? "" : "s")} not shown (non-finite{(X.Log || Y.Log ? " or not positive on a log axis" : "")})"
            : "";
        double top = Title.Length > 0 ? 40 : 16;
        bool xTitled = X.Label.Length > 0 || !X.Unit.IsBareNumber, yTitled = Y.Label.Length > 0 || !Y.Unit.IsBareNumber;
        double bottom = 16 + TickFont + (xTitled ? 10 + LabelFont : 0) + 6 + (footnote.Length > 0 ? 16 : 0);
        double plotH = Height - top - bottom;

        var yTicks = MakeTicks(Y, yd, Math.Clamp((int)(plotH / 55), 2, 10));
        double yLabelW = yTicks.Ticks.Count == 0 ? 10 : yTicks.Ticks.Max(t => TextWidth(t.Label, TickFont));
        double left = 12 + (yTitled ? LabelFont + 10 : 0) + yLabelW + 8;
        double right = legendWidth > 0 ? legendWidth + 28 : 20;
        double plotW = Width - left - right;
        if (plotW < 80) throw new ArgumentOutOfRangeException(nameof(Width), "The plot is too narrow for its labels and legend.");

        AxisTicks xTicks = MakeTicks(X, xd, Math.Clamp((int)(plotW / 90), 2, 12));
        for (int target = Math.Clamp((int)(plotW / 90), 2, 12) - 1; target >= 2 && Crowded(xTicks, xd, plotW, X.Log); target--)
            xTicks = MakeTicks(X, xd, target);

        double Px(double v) => left + Frac(v, xd, X.Log) * plotW;
        double Py(double v) => top + (1 - Frac(v, yd, Y.Log)) * plotH;

        var sb = new StringBuilder(4096 + pts.Count * 96);
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(I(Width)).Append("\" height=\"").Append(I(Height))
          .Append("\" viewBox=\"0 0 ").Append(I(Width)).Append(' ').Append(I(Height))
          .Append("\" font-family=\"Helvetica, Arial, 'DejaVu Sans', sans-serif\" role=\"img\">\n");
        if (Title.Length > 0) sb.Append("<title>").Append(Escape(Title)).Append("</title>\n");
        string clip = Escape(IdPrefix) + "-clip";
        sb.Append("<defs><clipPath id=\"").Append(clip).Append("\"><rect x=\"").Append(N(left)).Append("\" y=\"").Append(N(top))
          .Append("\" width=\"").Append(N(plotW)).Append("\" height=\"").Append(N(plotH)).Append("\"/></clipPath></defs>\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n");
        if (Title.Length > 0)
            Text(sb, left, 24, Title, TitleFont, "start", "font-weight=\"bold\"");

        // Grid and ticks; log axes also get faint lines at 2..9 × each decade.
        sb.Append("<g class=\"minor-grid\" stroke=\"").Append(MinorGrid).Append("\" stroke-width=\"1\">\n");
        foreach (var v in MinorLogValues(X, xd)) Line(sb, Px(v), top, Px(v), top + plotH);
        foreach (var v in MinorLogValues(Y, yd)) Line(sb, left, Py(v), left + plotW, Py(v));
        sb.Append("</g>\n");
        sb.Append("<g class=\"grid\" stroke=\"").Append(Grid).Append("\" stroke-width=\"1\">\n");
        foreach (var t in xTicks.Ticks) Line(sb, Px(t.Value), top, Px(t.Value), top + plotH);
        foreach (var t in yTicks.Ticks) Line(sb, left, Py(t.Value), left + plotW, Py(t.Value));
        sb.Append("</g>\n");
        sb.Append("<rect x=\"").Append(N(left)).Append("\" y=\"").Append(N(top)).Append("\" width=\"").Append(N(plotW))
          .Append("\" height=\"").Append(N(plotH)).Append("\" fill=\"none\" stroke=\"").Append(Muted).Append("\" stroke-width=\"1\"/>\n");
        sb.Append("<g class=\"ticks\" fill=\"").Append(Ink).Append("\">\n");
        foreach (var t in xTicks.Ticks)
        {
            Line(sb, Px(t.Value), top + plotH, Px(t.Value), top + plotH + 4, Muted);
            Text(sb, Px(t.Value), top + plotH + 6 + TickFont, t.Label, TickFont, "middle");
        }
        foreach (var t in yTicks.Ticks)
        {
            Line(sb, left - 4, Py(t.Value), left, Py(t.Value), Muted);
            Text(sb, left - 7, Py(t.Value) + TickFont * 0.35, t.Label, TickFont, "end");
        }
        sb.Append("</g>\n");
        Text(sb, left + plotW / 2, top + plotH + 16 + TickFont + LabelFont, AxisTitle(X, xTicks), LabelFont, "middle");
        double yTitleX = 12 + LabelFont * 0.8, yTitleY = top + plotH / 2;
        Text(sb, yTitleX, yTitleY, AxisTitle(Y, yTicks), LabelFont, "middle",
            $"transform=\"rotate(-90 {N(yTitleX)} {N(yTitleY)})\"");

        // Constraint lines under the points; their labels come later, on top.
        sb.Append("<g class=\"constraints\" stroke=\"").Append(Ink).Append("\" stroke-width=\"1.3\" stroke-dasharray=\"6 4\">\n");
        var constraints = Constraints.Where(k => Usable(k.Value, k.Orientation == LineOrientation.Vertical ? X : Y)).ToList();
        foreach (var k in constraints)
        {
            if (k.Orientation == LineOrientation.Vertical) Line(sb, Px(k.Value), top, Px(k.Value), top + plotH);
            else Line(sb, left, Py(k.Value), left + plotW, Py(k.Value));
        }
        sb.Append("</g>\n");

        // Points, one group per colour so the file stays compact and readable.
        sb.Append("<g class=\"points\" clip-path=\"url(#").Append(clip).Append(")\" stroke=\"#FFFFFF\" stroke-width=\"0.6\" fill-opacity=\"0.88\">\n");
        for (int ci = 0; ci < colors.Count; ci++)
        {
            sb.Append("<g fill=\"").Append(Palette[ci % Palette.Count]).Append("\" data-group=\"").Append(Escape(colors[ci])).Append("\">\n");
            foreach (var p in pts)
            {
                if (p.ColorGroup != colors[ci]) continue;
                Marker(sb, shapes[p.ShapeGroup], Px(p.X), Py(p.Y), MarkerRadius, "", p.Tooltip);
            }
            sb.Append("</g>\n");
        }
        sb.Append("</g>\n");

        // Pareto staircase, extended to the right edge: beyond the last point the best reachable y stays.
        void StairPath(IReadOnlyList<(double X, double Y)> st, string cssClass, string stroke)
        {
            if (st.Count == 0) return;
            sb.Append("<path class=\"").Append(cssClass).Append("\" d=\"");
            for (int i = 0; i < st.Count; i++)
                sb.Append(i == 0 ? "M" : " L").Append(N(Px(st[i].X))).Append(' ').Append(N(Py(st[i].Y)));
            sb.Append(" L").Append(N(left + plotW)).Append(' ').Append(N(Py(st[^1].Y)));
            sb.Append("\" fill=\"none\" stroke=\"").Append(stroke).Append("\" stroke-width=\"1.6\" stroke-linejoin=\"miter\" clip-path=\"url(#")
              .Append(clip).Append(")\"/>\n");
        }
        StairPath(stair, "pareto", Ink);
        foreach (var f in more) StairPath(f.Stair, "pareto-more", f.Color);

        // Labels go where they cover the fewest points, lines and other labels; a white halo keeps
        // them readable wherever they land.
        const string halo = "stroke=\"#FFFFFF\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\"";
        var placer = new LabelPlacer(left, top, left + plotW, top + plotH);
        foreach (var p in pts) placer.AddPoint(Px(p.X), Py(p.Y));
        foreach (var st in more.Select(f => f.Stair).Prepend(stair))
        {
            if (st.Count == 0) continue;
            for (int i = 1; i < st.Count; i++)
                placer.AddSegment(Px(st[i - 1].X), Py(st[i - 1].Y), Px(st[i].X), Py(st[i].Y));
            placer.AddSegment(Px(st[^1].X), Py(st[^1].Y), left + plotW, Py(st[^1].Y));
        }
        foreach (var k in constraints)
        {
            if (k.Orientation == LineOrientation.Vertical) placer.AddSegment(Px(k.Value), top, Px(k.Value), top + plotH);
            else placer.AddSegment(left, Py(k.Value), left + plotW, Py(k.Value));
        }

        if (chosen is not null)
        {
            double x = Px(chosen.X), y = Py(chosen.Y);
            placer.AddPoint(x, y, ChosenRadius + 2);
        }
        for (int i = 0; i < constraints.Count; i++)
        {
            var k = constraints[i];
            var axis = k.Orientation == LineOrientation.Vertical ? X : Y;
            string label = k.Label.Length > 0 ? k.Label : axis.Unit.FormatValue(k.Value);
            double w = TextWidth(label, LegendFont);
            if (k.Orientation == LineOrientation.Vertical)
            {
                double x = Px(k.Value);
                var (tx, ty, anchor) = placer.Place(w, LegendFont,
                [
                    (x + 5, top + 14, "start"), (x - 5, top + 14, "end"),
                    (x + 5, top + plotH - 6, "start"), (x - 5, top + plotH - 6, "end"),
                ]);
                Text(sb, tx, ty, label, LegendFont, anchor, halo);
            }
            else
            {
                double y = Py(k.Value);
                var (tx, ty, anchor) = placer.Place(w, LegendFont,
                [
                    (left + plotW - 6, y - 5, "end"), (left + plotW - 6, y + 4 + LegendFont, "end"),
                    (left + 6, y - 5, "start"), (left + 6, y + 4 + LegendFont, "start"),
                ]);
                Text(sb, tx, ty, label, LegendFont, anchor, halo);
            }
        }

        if (chosen is not null)
        {
            double x = Px(chosen.X), y = Py(chosen.Y);
            int ci = Math.Max(0, colors.IndexOf(chosen.ColorGroup));
            sb.Append("<g class=\"chosen\">\n");
            Marker(sb, shapes.GetValueOrDefault(chosen.ShapeGroup, MarkerShape.Circle), x, y, ChosenRadius,
                $"fill=\"{Palette[ci % Palette.Count]}\" stroke=\"{Ink}\" stroke-width=\"2\"", chosen.Label);
            if (chosen.Label.Length > 0)
            {
                double w = TextWidth(chosen.Label, LegendFont);
                double off = ChosenRadius + 4;
                var (tx, ty, anchor) = placer.Place(w, LegendFont,
                [
                    (x + off, y - off, "start"), (x + off, y + off + LegendFont, "start"),
                    (x - off, y - off, "end"), (x - off, y + off + LegendFont, "end"),
                    (x + off, y + LegendFont * 0.35, "start"), (x - off, y + LegendFont * 0.35, "end"),
                ]);
                Text(sb, tx, ty, chosen.Label, LegendFont, anchor, "font-weight=\"bold\" " + halo);
            }
            sb.Append("</g>\n");
        }

        if (pts.Count == 0)
            Text(sb, left + plotW / 2, top + plotH / 2, "No data", LabelFont, "middle", $"fill=\"{Muted}\"");
        if (footnote.Length > 0)
            Text(sb, left, Height - 8, footnote, TickFont, "start", $"fill=\"{Muted}\"");

        WriteLegend(sb, legend, left + plotW + 22, top, legendWidth - 12, shapes);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>The staircase vertices for a "minimise x, maximise y" front: points sorted by x (and
    /// by y, best first, on ties), dominated points dropped, then a horizontal step at the previous
    /// best y followed by a vertical rise at each next point.</summary>
    public static IReadOnlyList<(double X, double Y)> Staircase(IEnumerable<(double X, double Y)> front)
    {
        var sorted = front.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
            .OrderBy(p => p.X).ThenByDescending(p => p.Y).ToList();
        var result = new List<(double X, double Y)>();
        double best = double.NegativeInfinity;
        foreach (var p in sorted)
        {
            if (p.Y <= best) continue; // dominated: no cheaper-or-equal point reaches less
            if (result.Count > 0)
            {
                if (result[^1].X != p.X) result.Add((p.X, best));
                else result.RemoveAt(result.Count - 1); // same x, higher y: the rise replaces it
            }
            result.Add(p);
            best = p.Y;
        }
        return result;
    }

    /// <summary>The non-dominated points (minimise x, maximise y), sorted by x.</summary>
    public static IReadOnlyList<PlotPoint> ParetoOf(IEnumerable<PlotPoint> points)
    {
        var result = new List<PlotPoint>();
        double best = double.NegativeInfinity;
        foreach (var p in points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
                     .OrderBy(p => p.X).ThenByDescending(p => p.Y))
        {
            if (p.Y <= best) continue;
            result.Add(p);
            best = p.Y;
        }
        return result;
    }

    private static bool Usable(double v, PlotAxis axis) => double.IsFinite(v) && (!axis.Log || v > 0);

    private static List<string> Order(IEnumerable<string?> seen, List<string> preferred)
    {
        var present = new HashSet<string>();
        var firstSeen = new List<string>();
        foreach (var g in seen)
            if (g is not null && present.Add(g)) firstSeen.Add(g);
        var result = preferred.Where(present.Contains).Distinct().ToList();
        result.AddRange(firstSeen.Where(g => !result.Contains(g)));
        return result;
    }

    private Dictionary<string, MarkerShape> AssignShapes(List<string> groups)
    {
        var result = new Dictionary<string, MarkerShape>();
        var used = new HashSet<MarkerShape>();
        foreach (var g in groups)
            if (ShapeOf.TryGetValue(g, out var s)) { result[g] = s; used.Add(s); }
        var all = Enum.GetValues<MarkerShape>();
        int next = 0;
        foreach (var g in groups)
        {
            if (result.ContainsKey(g)) continue;
            var free = all.Where(s => !used.Contains(s)).ToList();
            var shape = free.Count > 0 ? free[0] : all[next++ % all.Length];
            result[g] = shape;
            used.Add(shape);
        }
        return result;
    }

    /// <summary>The drawn range of one axis: fixed bounds if given, else the data with a 4% margin
    /// (a multiplicative one on log axes); a zero-width range is widened.</summary>
    private static (double Min, double Max) Domain(IEnumerable<double> values, PlotAxis axis)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in values) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (lo > hi) { lo = axis.Log ? 1 : 0; hi = axis.Log ? 10 : 1; }
        if (axis.Log)
        {
            if (lo == hi) { lo /= 2; hi *= 2; }
            double span = Math.Log10(hi) - Math.Log10(lo);
            double pad = Math.Pow(10, span * 0.04);
            lo = axis.Min is > 0 ? axis.Min.Value : lo / pad;
            hi = axis.Max is > 0 ? axis.Max.Value : hi * pad;
        }
        else
        {
            (lo, hi) = TickGenerator.Expand(lo, hi);
            double pad = (hi - lo) * 0.04;
            lo = axis.Min is { } mn && double.IsFinite(mn) ? mn : lo - pad;
            hi = axis.Max is { } mx && double.IsFinite(mx) ? mx : hi + pad;
        }
        if (!(hi > lo)) (lo, hi) = axis.Log ? (lo / 2, lo * 2) : TickGenerator.Expand(lo, lo);
        return (lo, hi);
    }

    private static AxisTicks MakeTicks(PlotAxis axis, (double Min, double Max) d, int target) =>
        axis.Log ? TickGenerator.Log(d.Min, d.Max, axis.Unit, Math.Max(2, target + 1))
                 : TickGenerator.Linear(d.Min, d.Max, axis.Unit, target);

    private static bool Crowded(AxisTicks ticks, (double Min, double Max) d, double plotW, bool log)
    {
        if (ticks.Ticks.Count < 2) return false;
        double widest = ticks.Ticks.Max(t => TextWidth(t.Label, TickFont));
        // Log ticks with 2x and 5x steps are unevenly spaced: check the tightest pair.
        double minGap = double.PositiveInfinity;
        for (int i = 1; i < ticks.Ticks.Count; i++)
        {
            double gap = (Frac(ticks.Ticks[i].Value, d, log) - Frac(ticks.Ticks[i - 1].Value, d, log)) * plotW;
            minGap = Math.Min(minGap, gap);
        }
        return widest + 12 > minGap;
    }

    /// <summary>2..9 × 10^d inside the range of a decade-ticked log axis (none for bytes, whose
    /// ticks are powers of two, or when the range spans more than six decades).</summary>
    private static IEnumerable<double> MinorLogValues(PlotAxis axis, (double Min, double Max) d)
    {
        if (!axis.Log || axis.Unit.IsBytes) yield break;
        int d0 = (int)Math.Floor(Math.Log10(d.Min)), d1 = (int)Math.Floor(Math.Log10(d.Max));
        if (d1 - d0 > 6) yield break;
        for (int e = d0; e <= d1; e++)
            for (int m = 2; m <= 9; m++)
            {
                double v = m * Math.Pow(10, e);
                if (v > d.Min && v < d.Max) yield return v;
            }
    }

    private static double Frac(double v, (double Min, double Max) d, bool log) =>
        log ? (Math.Log10(v) - Math.Log10(d.Min)) / (Math.Log10(d.Max) - Math.Log10(d.Min))
            : (v - d.Min) / (d.Max - d.Min);

    private static string AxisTitle(PlotAxis axis, AxisTicks ticks) =>
        ticks.UnitText.Length == 0 ? axis.Label
        : axis.Label.Length == 0 ? ticks.UnitText
        : $"{axis.Label} ({ticks.UnitText})";

    private sealed record LegendEntry(string Text, bool Heading, char Kind, int Index, string Stroke = Ink);

    /// <summary>The colour of a further front: its group's palette colour, else ink.</summary>
    private static string FrontColor(FrontSeries front, List<string> colors)
    {
        int i = colors.IndexOf(front.ColorGroup);
        return i < 0 ? Ink : Palette[i % Palette.Count];
    }

    private List<LegendEntry> BuildLegend(List<string> colors, List<string> shapeGroups, bool pareto,
        List<(string Label, string Color)> moreFronts, ChosenPoint? chosen)
    {
        var e = new List<LegendEntry>();
        if (colors.Count > 1 || (colors.Count == 1 && colors[0].Length > 0))
        {
            if (ColorTitle.Length > 0) e.Add(new(ColorTitle, true, 'h', 0));
            for (int i = 0; i < colors.Count; i++) e.Add(new(colors[i].Length > 0 ? colors[i] : "(none)", false, 'c', i));
        }
        if (shapeGroups.Count > 1 || (shapeGroups.Count == 1 && shapeGroups[0].Length > 0))
        {
            if (ShapeTitle.Length > 0) e.Add(new(ShapeTitle, true, 'h', 0));
            for (int i = 0; i < shapeGroups.Count; i++) e.Add(new(shapeGroups[i].Length > 0 ? shapeGroups[i] : "(none)", false, 's', i));
        }
        var overlays = new List<LegendEntry>();
        if (pareto) overlays.Add(new(ParetoLabel, false, 'p', 0));
        foreach (var (label, color) in moreFronts) overlays.Add(new(label, false, 'p', 0, color));
        if (Constraints.Count > 0) overlays.Add(new("Constraint", false, 'k', 0));
        if (chosen is not null) overlays.Add(new("Chosen", false, 'x', 0));
        if (overlays.Count > 0 && e.Count > 0) e.Add(new("", true, 'g', 0)); // gap
        e.AddRange(overlays);
        return e;
    }

    /// <summary>Text shortened with an ellipsis to fit <paramref name="maxWidth"/> pixels.</summary>
    private static string Fit(string text, double maxWidth)
    {
        if (TextWidth(text, LegendFont) <= maxWidth) return text;
        int n = text.Length;
        while (n > 1 && TextWidth(text[..n] + "…", LegendFont) > maxWidth) n--;
        if (n > 0 && char.IsHighSurrogate(text[n - 1])) n--;
        return text[..n] + "…";
    }

    private static void WriteLegend(StringBuilder sb, List<LegendEntry> entries, double x, double y, double maxWidth,
        Dictionary<string, MarkerShape> shapes)
    {
        if (entries.Count == 0) return;
        sb.Append("<g class=\"legend\" fill=\"").Append(Ink).Append("\">\n");
        double row = y + 8;
        foreach (var e in entries)
        {
            switch (e.Kind)
            {
                case 'g':
                    row += 6;
                    continue;
                case 'm':
                    Text(sb, x, row + 4, e.Text, LegendFont, "start", $"fill=\"{Muted}\" font-style=\"italic\"");
                    break;
                case 'h':
                    Text(sb, x, row + 4, Fit(e.Text, maxWidth), LegendFont, "start", "font-weight=\"bold\"");
                    break;
                case 'c':
                    Marker(sb, MarkerShape.Circle, x + 7, row, MarkerRadius + 0.6, $"fill=\"{Palette[e.Index % Palette.Count]}\"", null);
                    Text(sb, x + 20, row + 4, Fit(e.Text, maxWidth - 20), LegendFont, "start");
                    break;
                case 's':
                    var group = e.Text == "(none)" ? "" : e.Text;
                    Marker(sb, shapes.GetValueOrDefault(group, MarkerShape.Circle), x + 7, row, MarkerRadius + 0.6, "fill=\"#8C8C8C\"", null);
                    Text(sb, x + 20, row + 4, Fit(e.Text, maxWidth - 20), LegendFont, "start");
                    break;
                case 'p':
                    sb.Append("<path d=\"M").Append(N(x)).Append(' ').Append(N(row + 4)).Append(" H").Append(N(x + 7))
                      .Append(" V").Append(N(row - 4)).Append(" H").Append(N(x + 14)).Append("\" fill=\"none\" stroke=\"").Append(e.Stroke)
                      .Append("\" stroke-width=\"1.6\"/>\n");
                    Text(sb, x + 20, row + 4, Fit(e.Text, maxWidth - 20), LegendFont, "start");
                    break;
                case 'k':
                    Line(sb, x, row, x + 14, row, Ink, "stroke-width=\"1.3\" stroke-dasharray=\"4 2\"");
                    Text(sb, x + 20, row + 4, Fit(e.Text, maxWidth - 20), LegendFont, "start");
                    break;
                case 'x':
                    Marker(sb, MarkerShape.Circle, x + 7, row, 5.5, $"fill=\"#FFFFFF\" stroke=\"{Ink}\" stroke-width=\"2\"", null);
                    Text(sb, x + 20, row + 4, Fit(e.Text, maxWidth - 20), LegendFont, "start");
                    break;
            }
            row += 18;
        }
        sb.Append("</g>\n");
    }

    private static void Line(StringBuilder sb, double x1, double y1, double x2, double y2, string? stroke = null, string extra = "")
    {
        sb.Append("<line x1=\"").Append(N(x1)).Append("\" y1=\"").Append(N(y1)).Append("\" x2=\"").Append(N(x2))
          .Append("\" y2=\"").Append(N(y2)).Append('"');
        if (stroke is not null) sb.Append(" stroke=\"").Append(stroke).Append('"');
        if (extra.Length > 0) sb.Append(' ').Append(extra);
        sb.Append("/>\n");
    }

    private static void Text(StringBuilder sb, double x, double y, string text, double size, string anchor, string extra = "")
    {
        sb.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" font-size=\"").Append(N(size))
          .Append("\" text-anchor=\"").Append(anchor).Append('"');
        if (extra.Length > 0) sb.Append(' ').Append(extra);
        sb.Append('>').Append(Escape(text)).Append("</text>\n");
    }

    /// <summary>One marker of roughly equal visual area whatever the shape.</summary>
    private static void Marker(StringBuilder sb, MarkerShape shape, double x, double y, double r, string extra, string? tooltip)
    {
        if (shape == MarkerShape.Circle)
        {
            sb.Append("<circle cx=\"").Append(N(x)).Append("\" cy=\"").Append(N(y)).Append("\" r=\"").Append(N(r)).Append('"');
        }
        else
        {
            sb.Append("<path d=\"");
            switch (shape)
            {
                case MarkerShape.Square:
                    double h = r * 0.9;
                    Poly(sb, (x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h));
                    break;
                case MarkerShape.Diamond:
                    double d = r * 1.22;
                    Poly(sb, (x, y - d), (x + d, y), (x, y + d), (x - d, y));
                    break;
                case MarkerShape.Triangle:
                    Poly(sb, (x, y - r * 1.4), (x + r * 1.22, y + r * 0.72), (x - r * 1.22, y + r * 0.72));
                    break;
                default:
                    Poly(sb, (x, y + r * 1.4), (x + r * 1.22, y - r * 0.72), (x - r * 1.22, y - r * 0.72));
                    break;
            }
            sb.Append('"');
        }
        if (extra.Length > 0) sb.Append(' ').Append(extra);
        if (string.IsNullOrEmpty(tooltip)) sb.Append("/>\n");
        else sb.Append("><title>").Append(Escape(tooltip)).Append("</title></").Append(shape == MarkerShape.Circle ? "circle" : "path").Append(">\n");
    }

    private static void Poly(StringBuilder sb, params (double X, double Y)[] v)
    {
        for (int i = 0; i < v.Length; i++)
            sb.Append(i == 0 ? "M" : "L").Append(N(v[i].X)).Append(' ').Append(N(v[i].Y));
        sb.Append('Z');
    }
}
