using Rlvr.Core.IO;
using ScottPlot;

namespace Rlvr.Core.Reporting;

/// <summary>One named line of a line plot (x and y of equal length).</summary>
public sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>A line with a shaded band around it (e.g. the mean over seeds and their range).</summary>
public sealed record BandSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<double> Low, IReadOnlyList<double> High);

/// <summary>One group of bars of a grouped bar chart: its name (legend) and one value per category (null = absent).</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double?> Values);

/// <summary>
/// Headless PNG charts (ScottPlot, no display needed): line plots for training curves (reward,
/// accuracy against step) and grouped bar charts for gains (the paper's Figure 1). Files are written
/// to a temp file and renamed.
/// </summary>
public static class Charts
{
    /// <summary>Draws one or more lines against a shared x axis.</summary>
    public static void LinePlot(string path, string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series,
        int width = 800, int height = 500)
    {
        if (series.Count == 0) throw new ArgumentException("a line plot needs at least one series", nameof(series));
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"series '{s.Name}': {s.X.Count} x values but {s.Y.Count} y values");
            var line = plot.Add.Scatter(s.X.ToArray(), s.Y.ToArray(), palette.GetColor(i));
            line.LegendText = s.Name;
            line.MarkerSize = s.X.Count <= 50 ? 4 : 0;
        }
        Decorate(plot, title, xLabel, yLabel, series.Count > 1);
        Save(plot, path, width, height);
    }

    /// <summary>Draws lines each with a translucent band from Low to High (seed bands); a path ending in .svg gets SVG.</summary>
    public static void BandPlot(string path, string title, string xLabel, string yLabel, IReadOnlyList<BandSeries> series,
        int width = 900, int height = 550) =>
        Save(BandPlotOf(title, xLabel, yLabel, series), path, width, height);

    /// <summary>One band plot per panel in a grid of <paramref name="columns"/> columns, written as one PNG.</summary>
    public static void BandGrid(string path, IReadOnlyList<(string Title, string XLabel, string YLabel, IReadOnlyList<BandSeries> Series)> panels,
        int columns, int panelWidth = 600, int panelHeight = 400)
    {
        if (panels.Count == 0) throw new ArgumentException("a grid needs at least one panel", nameof(panels));
        var rows = (panels.Count + columns - 1) / columns;
        var grid = new Multiplot();
        var empty = grid.GetPlots().ToList();  // a new Multiplot starts with one blank plot
        foreach (var p in panels) grid.AddPlot(BandPlotOf(p.Title, p.XLabel, p.YLabel, p.Series));
        foreach (var blank in empty) grid.RemovePlot(blank);
        grid.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.png");
        try
        {
            grid.SavePng(temporary, panelWidth * columns, panelHeight * rows);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private static Plot BandPlotOf(string title, string xLabel, string yLabel, IReadOnlyList<BandSeries> series)
    {
        if (series.Count == 0) throw new ArgumentException("a band plot needs at least one series", nameof(series));
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (new[] { s.Y.Count, s.Low.Count, s.High.Count }.Any(n => n != s.X.Count))
                throw new ArgumentException($"series '{s.Name}': x, y, low and high differ in length");
            var color = palette.GetColor(i);
            var band = plot.Add.FillY(s.X.ToArray(), s.Low.ToArray(), s.High.ToArray());
            band.FillColor = color.WithAlpha(0.15);
            band.LineWidth = 0;
            var line = plot.Add.Scatter(s.X.ToArray(), s.Y.ToArray(), color);
            line.LegendText = s.Name;
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }
        Decorate(plot, title, xLabel, yLabel, true);
        return plot;
    }

    /// <summary>Draws grouped bars: one group per category, one bar per series, a zero line, values on top.</summary>
    public static void GroupedBarChart(string path, string title, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<BarSeries> series, int width = 900, int height = 500)
    {
        if (categories.Count == 0 || series.Count == 0) throw new ArgumentException("a bar chart needs categories and series");
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var groupWidth = 0.8;
        var barWidth = groupWidth / series.Count;
        var bars = new List<Bar>();
        for (var s = 0; s < series.Count; s++)
        {
            if (series[s].Values.Count != categories.Count)
                throw new ArgumentException($"series '{series[s].Name}': {series[s].Values.Count} values for {categories.Count} categories");
            for (var c = 0; c < categories.Count; c++)
            {
                if (series[s].Values[c] is not double v) continue;
                bars.Add(new Bar
                {
                    Position = c - groupWidth / 2 + barWidth * (s + 0.5),
                    Value = v,
                    Size = barWidth * 0.9,
                    FillColor = palette.GetColor(s),
                    Label = v.ToString("+0.0;-0.0;0.0"),
                });
            }
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        for (var s = 0; s < series.Count; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = palette.GetColor(s) });
        }
        Decorate(plot, title, "", yLabel, true);
        plot.Axes.Margins(left: 0.05, right: 0.05, bottom: 0.1, top: 0.25);  // room for the legend above the bars
        Save(plot, path, width, height);
    }

    private static void Decorate(Plot plot, string title, string xLabel, string yLabel, bool legend)
    {
        plot.Title(title);
        if (xLabel.Length > 0) plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (legend) plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) AtomicFile.WriteAllText(path, plot.GetSvgXml(width, height));
        else AtomicFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
    }
}
