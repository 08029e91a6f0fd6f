using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using Dnas.Report.Svg;
using Xunit;

namespace Dnas.Tests.Report;

/// <summary>The report's SVG scatter plot: tick generation, groups, overlays, escaping,
/// determinism and degenerate inputs.</summary>
public sealed class SvgPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Parse(string svg)
    {
        var doc = XDocument.Parse(svg);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        Assert.DoesNotContain("∞", svg);
        return doc;
    }

    /// <summary>Writes an SVG to $DNAS_SVG_EXAMPLE_DIR (when set) so it can be rendered and looked at.</summary>
    private static void Dump(string name, string svg)
    {
        string? dir = Environment.GetEnvironmentVariable("DNAS_SVG_EXAMPLE_DIR");
        if (!string.IsNullOrEmpty(dir)) File.WriteAllText(Path.Combine(dir, name + ".svg"), svg);
    }

    private static string[] Labels(AxisTicks t) => t.Ticks.Select(k => k.Label).ToArray();

    private static double[] Values(AxisTicks t) => t.Ticks.Select(k => k.Value).ToArray();

    // ---- ticks ----

    [Fact]
    public void Linear_ZeroToOne_StepsOfPointTwo()
    {
        var t = TickGenerator.Linear(0, 1, AxisUnit.None, 6);
        Assert.Equal(["0", "0.2", "0.4", "0.6", "0.8", "1"], Labels(t));
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], Values(t));
        Assert.Equal("", t.UnitText);
    }

    [Fact]
    public void Linear_Bytes_ZeroTo256KB_InKilobytes()
    {
        var t = TickGenerator.Linear(0, 256 * 1024, AxisUnit.Bytes, 6);
        Assert.Equal("KB", t.UnitText);
        Assert.Equal(["0", "50", "100", "150", "200", "250"], Labels(t));
        Assert.Equal(250 * 1024.0, t.Ticks[^1].Value);
    }

    [Fact]
    public void Linear_Bytes_ScalesToMegabytesAndBytes()
    {
        Assert.Equal("MB", TickGenerator.Linear(0, 3 * 1024 * 1024, AxisUnit.Bytes).UnitText);
        Assert.Equal("B", TickGenerator.Linear(0, 500, AxisUnit.Bytes).UnitText);
    }

    [Fact]
    public void Linear_Latency_37To1520ms()
    {
        var t = TickGenerator.Linear(37, 1520, AxisUnit.Milliseconds, 6);
        Assert.Equal("ms", t.UnitText);
        Assert.Equal(["200", "400", "600", "800", "1000", "1200", "1400"], Labels(t));
    }

    [Fact]
    public void Linear_NegativeAndTinyRanges()
    {
        Assert.Equal(["-1", "-0.5", "0", "0.5", "1"], Labels(TickGenerator.Linear(-1, 1, AxisUnit.None, 5)));
        Assert.Equal(["0.001", "0.002", "0.003", "0.004", "0.005"], Labels(TickGenerator.Linear(0.001, 0.005, AxisUnit.None, 5)));
    }

    [Fact]
    public void Linear_LargeBareNumbers_UseCompactPrefixes()
    {
        Assert.Equal(["0", "200k", "400k", "600k", "800k", "1M"], Labels(TickGenerator.Linear(0, 1e6, AxisUnit.None, 6)));
        Assert.Equal(["1M", "1.001M", "1.002M"], Labels(TickGenerator.Linear(1_000_000, 1_002_000, AxisUnit.None, 3)));
    }

    [Fact]
    public void Linear_EqualBounds_AreExpanded()
    {
        var t = TickGenerator.Linear(5, 5, AxisUnit.None);
        Assert.True(t.Ticks.Count >= 2);
        Assert.Contains(t.Ticks, k => k.Value == 5);
        Assert.True(TickGenerator.Linear(0, 0, AxisUnit.None).Ticks.Count >= 2);
    }

    [Fact]
    public void Log_1e3To1e6_Decades()
    {
        var t = TickGenerator.Log(1e3, 1e6, AxisUnit.None);
        Assert.Equal([1e3, 1e4, 1e5, 1e6], Values(t));
        Assert.Equal(["1k", "10k", "100k", "1M"], Labels(t));
        Assert.Equal(["1 kMAC", "10 kMAC", "100 kMAC", "1 MMAC"], Labels(TickGenerator.Log(1e3, 1e6, AxisUnit.Si("MAC"))));
    }

    [Fact]
    public void Log_NarrowRange_Adds2And5()
    {
        var t = TickGenerator.Log(1, 100, AxisUnit.None);
        Assert.Equal([1, 2, 5, 10, 20, 50, 100], Values(t));
    }

    [Fact]
    public void Log_WideRange_IsThinned()
    {
        var t = TickGenerator.Log(1, 1e12, AxisUnit.None, 7);
        Assert.True(t.Ticks.Count <= 7);
        Assert.Equal(1, t.Ticks[0].Value);
        Assert.Equal(1e12, t.Ticks[^1].Value);
    }

    [Fact]
    public void Log_Bytes_PowersOfTwo()
    {
        var t = TickGenerator.Log(1024, 1024 * 1024, AxisUnit.Bytes, 6);
        Assert.Equal(["1 KB", "4 KB", "16 KB", "64 KB", "256 KB", "1 MB"], Labels(t));
    }

    [Fact]
    public void FormatValue_UnitsAndSignificantDigits()
    {
        Assert.Equal("1.5 KB", AxisUnit.Bytes.FormatValue(1536));
        Assert.Equal("250 ms", AxisUnit.Milliseconds.FormatValue(250));
        Assert.Equal("12.3 s", AxisUnit.Milliseconds.FormatValue(12_345));
        Assert.Equal("2.5M", AxisUnit.None.FormatValue(2_500_000));
        Assert.Equal("87.5%", AxisUnit.Plain("%").FormatValue(87.5));
    }

    // ---- plot ----

    private static ScatterPlot Example()
    {
        var plot = new ScatterPlot
        {
            Title = "Candidates: accuracy vs. peak SRAM",
            ColorTitle = "Resolution",
            ShapeTitle = "Colour mode",
        };
        plot.X.Label = "Peak SRAM";
        plot.X.Unit = AxisUnit.Bytes;
        plot.Y.Label = "Validation accuracy";
        plot.Y.Unit = AxisUnit.Plain("%");
        plot.ShapeOf["gray"] = MarkerShape.Circle;
        plot.ShapeOf["RGB"] = MarkerShape.Triangle;
        plot.ColorOrder.AddRange(["32×32", "64×64", "96×96"]);
        var rng = new Random(7);
        string[] res = ["96×96", "32×32", "64×64"];
        int[] side = [96, 32, 64];
        for (int i = 0; i < 120; i++)
        {
            int r = i % 3;
            bool rgb = i % 2 == 0;
            double sram = side[r] * side[r] * (rgb ? 3 : 1) * (2 + rng.NextDouble() * 6) + 8_000;
            double acc = 55 + 10 * Math.Log10(sram / 8000) + r * 3 + rng.NextDouble() * 8;
            plot.AddPoint(sram, acc, res[r], rgb ? "RGB" : "gray", $"#{i}: {sram / 1024:F1} KB, {acc:F1}%");
        }
        var front = ScatterPlot.ParetoOf(plot.Points);
        plot.ParetoFront.AddRange(front.Select(p => (p.X, p.Y)));
        plot.Constraints.Add(new ConstraintLine(LineOrientation.Vertical, 256 * 1024, "SRAM limit 256 KB"));
        plot.Constraints.Add(new ConstraintLine(LineOrientation.Horizontal, 70, "Min accuracy 70%"));
        var chosen = front.Where(p => p.X <= 256 * 1024).Last();
        plot.Chosen = new ChosenPoint(chosen.X, chosen.Y, $"Chosen: {chosen.Y:F1}%", chosen.ColorGroup, chosen.ShapeGroup);
        return plot;
    }

    [Fact]
    public void Example_ParsesAsXml_WithSizeAndViewBox()
    {
        var plot = Example();
        plot.Width = 900;
        plot.Height = 520;
        string svg = plot.Render(out var stats);
        var doc = Parse(svg);
        Assert.Equal("900", doc.Root!.Attribute("width")!.Value);
        Assert.Equal("520", doc.Root.Attribute("height")!.Value);
        Assert.Equal("0 0 900 520", doc.Root.Attribute("viewBox")!.Value);
        Assert.Equal(new RenderStats(120, 0), stats);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "Peak SRAM (KB)");
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "SRAM limit 256 KB");
        Assert.Single(doc.Descendants(Svg + "g"), g => (string?)g.Attribute("class") == "chosen");

        Dump("example", svg);
    }

    /// <summary>Latency against MACs on a log x axis, with an RGB/gray split and a latency budget.</summary>
    private static ScatterPlot LogExample()
    {
        var plot = new ScatterPlot { Title = "Latency vs. compute", ColorTitle = "Resolution", ShapeTitle = "Colour mode", Width = 720, Height = 420 };
        plot.X.Label = "Multiply-accumulates";
        plot.X.Unit = AxisUnit.Si("MAC");
        plot.X.Log = true;
        plot.Y.Label = "Latency";
        plot.Y.Unit = AxisUnit.Milliseconds;
        var rng = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            double macs = Math.Pow(10, 3 + rng.NextDouble() * 3);
            double ms = 37 + macs / 700 * (0.8 + rng.NextDouble() * 0.4);
            plot.AddPoint(macs, ms, i % 3 == 0 ? "96" : i % 3 == 1 ? "64" : "48", i % 4 == 0 ? "RGB" : "gray");
        }
        plot.AddPoint(double.NaN, 1).AddPoint(-1, 5);
        plot.Constraints.Add(new ConstraintLine(LineOrientation.Horizontal, 1000, "Latency budget 1 s"));
        return plot;
    }

    [Fact]
    public void LogExample_TicksAreDecades()
    {
        string svg = LogExample().Render(out var stats);
        var doc = Parse(svg);
        Assert.Equal(new RenderStats(200, 2), stats);
        var ticks = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "ticks")
            .Elements(Svg + "text").Select(t => t.Value).ToList();
        foreach (var label in new[] { "1 kMAC", "10 kMAC", "100 kMAC", "1 MMAC" }) Assert.Contains(label, ticks);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "Latency (ms)");

        Dump("log-example", svg);
    }

    [Fact]
    public void Groups_GetPaletteColoursAndShapes()
    {
        var plot = new ScatterPlot();
        plot.ShapeOf["gray"] = MarkerShape.Circle;
        plot.ShapeOf["RGB"] = MarkerShape.Triangle;
        plot.ColorOrder.AddRange(["32", "64", "96"]);
        plot.AddPoint(1, 1, "96", "RGB").AddPoint(2, 2, "32", "gray").AddPoint(3, 3, "64", "RGB").AddPoint(4, 4, "32", "RGB");
        var doc = Parse(plot.Render());
        var groups = doc.Descendants(Svg + "g").Where(g => g.Attribute("data-group") is not null).ToList();
        Assert.Equal(["32", "64", "96"], groups.Select(g => g.Attribute("data-group")!.Value));
        for (int i = 0; i < 3; i++) Assert.Equal(ScatterPlot.Palette[i], groups[i].Attribute("fill")!.Value);
        // "32": one gray (circle), one RGB (triangle path); "64" and "96": RGB only.
        Assert.Single(groups[0].Elements(Svg + "circle"));
        Assert.Single(groups[0].Elements(Svg + "path"));
        Assert.Empty(groups[1].Elements(Svg + "circle"));
        Assert.Single(groups[2].Elements(Svg + "path"));
        var legend = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        foreach (var name in new[] { "32", "64", "96", "gray", "RGB" })
            Assert.Contains(legend.Elements(Svg + "text"), t => t.Value == name);
    }

    [Fact]
    public void Groups_BeyondPalette_Wrap()
    {
        var plot = new ScatterPlot();
        for (int i = 0; i < 10; i++) plot.AddPoint(i, i, $"g{i}");
        var groups = Parse(plot.Render()).Descendants(Svg + "g").Where(g => g.Attribute("data-group") is not null).ToList();
        Assert.Equal(10, groups.Count);
        Assert.Equal(ScatterPlot.Palette[0], groups[ScatterPlot.Palette.Count].Attribute("fill")!.Value);
    }

    [Fact]
    public void Staircase_SortsByX_DropsDominated_StepsThenRises()
    {
        var stair = ScatterPlot.Staircase([(30, 0.9), (10, 0.5), (20, 0.7), (25, 0.6), (10, 0.4), (double.NaN, 1)]);
        Assert.Equal([(10, 0.5), (20, 0.5), (20, 0.7), (30, 0.7), (30, 0.9)], stair);
        Assert.Empty(ScatterPlot.Staircase([]));
        Assert.Equal([(5.0, 5.0)], ScatterPlot.Staircase([(5, 5)]));
    }

    [Fact]
    public void ParetoOf_KeepsNonDominated()
    {
        PlotPoint[] pts = [new(3, 9), new(1, 5), new(2, 4), new(2, 7), new(4, 8), new(5, 10)];
        Assert.Equal([(1.0, 5.0), (2.0, 7.0), (3.0, 9.0), (5.0, 10.0)], ScatterPlot.ParetoOf(pts).Select(p => (p.X, p.Y)));
    }

    [Fact]
    public void Pareto_PathFollowsStaircase()
    {
        var plot = new ScatterPlot();
        plot.AddPoint(1, 1).AddPoint(2, 2).AddPoint(3, 3);
        plot.ParetoFront.AddRange([(3, 3), (1, 1), (2, 2)]);
        var path = Parse(plot.Render()).Descendants(Svg + "path").Single(p => (string?)p.Attribute("class") == "pareto");
        var pts = path.Attribute("d")!.Value.Split(['M', 'L'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(6, pts.Count); // 5 staircase vertices + extension to the right edge
        for (int i = 1; i < pts.Count; i++)
        {
            Assert.True(pts[i][0] >= pts[i - 1][0]); // x never goes back
            Assert.True(pts[i][1] <= pts[i - 1][1]); // y (screen) only rises
            Assert.True(pts[i][0] == pts[i - 1][0] || pts[i][1] == pts[i - 1][1]); // axis-aligned segments
        }
    }

    [Fact]
    public void Text_IsEscaped()
    {
        const string nasty = "a<b & c>d \"q\" 'x'";
        var plot = new ScatterPlot { Title = nasty, ColorTitle = nasty, ShapeTitle = nasty, ParetoLabel = nasty, IdPrefix = "p<&>" };
        plot.X.Label = nasty;
        plot.Y.Label = nasty;
        plot.AddPoint(1, 2, nasty, nasty, nasty).AddPoint(2, 3, "other", "other");
        plot.ParetoFront.Add((1, 2));
        plot.Constraints.Add(new ConstraintLine(LineOrientation.Vertical, 1.5, nasty));
        plot.Chosen = new ChosenPoint(1, 2, nasty, nasty, nasty);
        string svg = plot.Render();
        var doc = Parse(svg);
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.True(texts.Count(t => t == nasty) >= 6);
        Assert.Contains(doc.Descendants(Svg + "title"), t => t.Value == nasty);
        Assert.Contains(doc.Descendants(Svg + "g"), g => (string?)g.Attribute("data-group") == nasty);
    }

    [Fact]
    public void Output_IsDeterministic()
    {
        string a = Example().Render(), b = Example().Render();
        Assert.Equal(a, b);
        var prev = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("fr-FR");
            Assert.Equal(a, Example().Render());
        }
        catch (CultureNotFoundException)
        {
            // Invariant globalization: the culture cannot change, so nothing more to check.
        }
        finally
        {
            CultureInfo.CurrentCulture = prev;
        }
    }

    [Fact]
    public void Empty_RendersAxesAndNoData()
    {
        var plot = new ScatterPlot { Title = "Nothing" };
        string svg = plot.Render(out var stats);
        Dump("empty", svg);
        var doc = Parse(svg);
        Assert.Equal(new RenderStats(0, 0), stats);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "No data");
        Assert.DoesNotContain(doc.Descendants(Svg + "g"), g => (string?)g.Attribute("class") == "legend");
        var log = new ScatterPlot();
        log.X.Log = true;
        Parse(log.Render());
    }

    [Fact]
    public void SinglePoint_AndAllEqual_AreExpanded()
    {
        var one = new ScatterPlot().AddPoint(42, 0.5, "a");
        one.Chosen = new ChosenPoint(42, 0.5, "only", "a");
        string svg = one.Render(out var stats);
        Dump("single", svg);
        var doc = Parse(svg);
        Assert.Equal(1, stats.Drawn);
        Assert.Single(doc.Descendants(Svg + "circle"), c => c.Parent!.Attribute("data-group") is not null);

        var same = new ScatterPlot();
        for (int i = 0; i < 5; i++) same.AddPoint(7, 0);
        svg = same.Render();
        Dump("equal", svg);
        doc = Parse(svg);
        var ticks = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "ticks").Elements(Svg + "text").ToList();
        Assert.True(ticks.Count >= 4);

        var logOne = new ScatterPlot().AddPoint(1000, 1000);
        logOne.X.Log = true;
        logOne.Y.Log = true;
        Parse(logOne.Render());
    }

    [Fact]
    public void NonFinite_AreSkippedAndCounted()
    {
        var plot = new ScatterPlot();
        plot.AddPoint(1, 1).AddPoint(double.NaN, 2).AddPoint(3, double.PositiveInfinity).AddPoint(double.NegativeInfinity, 1).AddPoint(2, 2);
        plot.ParetoFront.AddRange([(1, 1), (double.NaN, 3), (2, 2)]);
        plot.Constraints.Add(new ConstraintLine(LineOrientation.Vertical, double.NaN, "bad"));
        plot.Chosen = new ChosenPoint(double.PositiveInfinity, 1, "bad");
        var doc = Parse(plot.Render(out var stats));
        Assert.Equal(new RenderStats(2, 3), stats);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.StartsWith("3 points not shown", StringComparison.Ordinal));
        Assert.DoesNotContain(doc.Descendants(Svg + "text"), t => t.Value == "bad");
    }

    [Fact]
    public void LogAxis_SkipsNonPositive()
    {
        var plot = new ScatterPlot();
        plot.X.Log = true;
        plot.X.Unit = AxisUnit.Si("MAC");
        plot.AddPoint(0, 1).AddPoint(-5, 1).AddPoint(2e3, 1).AddPoint(5e5, 2);
        var doc = Parse(plot.Render(out var stats));
        Assert.Equal(new RenderStats(2, 2), stats);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "10 kMAC");
    }

    [Fact]
    public void HugeCount_TenThousandPoints()
    {
        var plot = new ScatterPlot();
        var rng = new Random(1);
        for (int i = 0; i < 10_000; i++) plot.AddPoint(rng.NextDouble() * 1e6, rng.NextDouble(), $"r{i % 4}", i % 2 == 0 ? "gray" : "RGB", $"#{i}");
        var sw = Stopwatch.StartNew();
        string svg = plot.Render(out var stats);
        sw.Stop();
        Dump("huge", svg);
        Assert.Equal(10_000, stats.Drawn);
        var doc = Parse(svg);
        int markers = doc.Descendants(Svg + "g").Where(g => g.Attribute("data-group") is not null).Sum(g => g.Elements().Count());
        Assert.Equal(10_000, markers);
        Assert.True(sw.ElapsedMilliseconds < 5000, $"render took {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void LongLegendLabels_AreShortenedToFit()
    {
        var plot = new ScatterPlot { Width = 500, Height = 300 };
        string longName = new('x', 200);
        plot.AddPoint(1, 1, longName).AddPoint(2, 2, "short");
        var doc = Parse(plot.Render());
        var legend = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Contains(legend.Elements(Svg + "text"), t => t.Value.EndsWith('…') && t.Value.Length < 100);
        Assert.Contains(legend.Elements(Svg + "text"), t => t.Value == "short");
    }

    [Fact]
    public void ManyGroups_LegendIsCutToHeight()
    {
        var plot = new ScatterPlot { Width = 600, Height = 300 };
        for (int i = 0; i < 40; i++) plot.AddPoint(i, i, $"group {i}");
        var doc = Parse(plot.Render());
        var legendTexts = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend").Elements(Svg + "text").ToList();
        Assert.Contains(legendTexts, t => t.Value.StartsWith('+') && t.Value.EndsWith(" more", StringComparison.Ordinal));
        Assert.All(legendTexts, t => Assert.True(double.Parse(t.Attribute("y")!.Value, CultureInfo.InvariantCulture) <= 300));
    }

    [Fact]
    public void LoneSurrogates_AreDropped()
    {
        var plot = new ScatterPlot { Title = "bad \uD800 good 😀" };
        plot.AddPoint(1, 1, "x\uDC00y", tooltip: "\u0001ctl");
        var doc = Parse(plot.Render());
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "bad  good 😀");
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "xy");
    }

    [Fact]
    public void TooSmall_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScatterPlot { Width = 50 }.Render());
    }
}
