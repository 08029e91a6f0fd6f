namespace Dnas.Report.Svg;

/// <summary>Picks, among a few candidate positions for a text label, the one that stays inside the
/// plot area and covers the fewest points, line segments and labels placed before it. Ties go to
/// the earlier candidate, so placement is deterministic.</summary>
internal sealed class LabelPlacer
{
    private readonly double _left, _top, _right, _bottom;
    private readonly List<(double X, double Y, double R)> _points = [];
    private readonly List<(double X0, double Y0, double X1, double Y1)> _segments = [];
    private readonly List<(double X0, double Y0, double X1, double Y1)> _labels = [];

    public LabelPlacer(double left, double top, double right, double bottom)
    {
        (_left, _top, _right, _bottom) = (left, top, right, bottom);
    }

    public void AddPoint(double x, double y, double radius = 4) => _points.Add((x, y, radius));

    /// <summary>An axis-aligned (or short) segment; its bounding box is what counts.</summary>
    public void AddSegment(double x0, double y0, double x1, double y1) =>
        _segments.Add((Math.Min(x0, x1), Math.Min(y0, y1), Math.Max(x0, x1), Math.Max(y0, y1)));

    /// <summary>The best candidate (text x, baseline y, anchor "start" or "end"); it is remembered
    /// so later labels avoid it.</summary>
    public (double X, double Y, string Anchor) Place(double width, double fontSize,
        IReadOnlyList<(double X, double Y, string Anchor)> candidates)
    {
        int best = 0;
        double bestCost = double.PositiveInfinity;
        for (int i = 0; i < candidates.Count; i++)
        {
            var r = Rect(candidates[i], width, fontSize);
            double cost = 0;
            if (r.X0 < _left || r.X1 > _right || r.Y0 < _top || r.Y1 > _bottom) cost += 1000;
            foreach (var p in _points)
                if (p.X + p.R >= r.X0 && p.X - p.R <= r.X1 && p.Y + p.R >= r.Y0 && p.Y - p.R <= r.Y1) cost += 1;
            foreach (var s in _segments)
                if (s.X1 >= r.X0 && s.X0 <= r.X1 && s.Y1 >= r.Y0 && s.Y0 <= r.Y1) cost += 3;
            foreach (var l in _labels)
                if (l.X1 >= r.X0 && l.X0 <= r.X1 && l.Y1 >= r.Y0 && l.Y0 <= r.Y1) cost += 100;
            if (cost < bestCost)
            {
                bestCost = cost;
                best = i;
            }
        }
        _labels.Add(Rect(candidates[best], width, fontSize));
        return candidates[best];
    }

    private static (double X0, double Y0, double X1, double Y1) Rect((double X, double Y, string Anchor) c, double width, double fontSize)
    {
        double x0 = c.Anchor == "end" ? c.X - width : c.Anchor == "middle" ? c.X - width / 2 : c.X;
        return (x0 - 1, c.Y - fontSize * 0.8, x0 + width + 1, c.Y + fontSize * 0.25);
    }
}
