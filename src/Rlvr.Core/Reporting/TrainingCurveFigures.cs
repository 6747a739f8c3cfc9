using Rlvr.Core.Analysis;

namespace Rlvr.Core.Reporting;

/// <summary>
/// The paper's training curves for one or several conditions, seeds as bands: training reward, accuracy against the
/// true label, code-reasoning frequency, clip fractions (overall, and by the old policy's token probability), and
/// each in-training evaluation set. Each panel is written as PANEL.png and PANEL.svg, and all of them side by side
/// as curves.png.
/// </summary>
public static class TrainingCurveFigures
{
    public const string OverviewFile = "curves.png";

    private sealed record Panel(string File, string Title, string YLabel, IReadOnlyList<BandSeries> Series);

    /// <summary>Writes the figures into <paramref name="outDir"/> and returns the files written (overview first).</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<RunCondition> conditions, string outDir, int smooth = 1)
    {
        var panels = Panels(conditions, smooth);
        if (panels.Count == 0) throw new InvalidDataException("the runs have no metrics to draw (empty metrics.jsonl?)");
        Directory.CreateDirectory(outDir);
        var written = new List<string> { Path.Combine(outDir, OverviewFile) };
        var note = smooth > 1 ? $" (moving average of {smooth})" : "";
        Charts.BandGrid(written[0], panels.Select(p => (p.Title + note, "step", p.YLabel, p.Series)).ToList(), columns: Math.Min(3, panels.Count));
        foreach (var panel in panels)
        {
            foreach (var extension in new[] { ".png", ".svg" })
            {
                var path = Path.Combine(outDir, panel.File + extension);
                Charts.BandPlot(path, panel.Title + note, "step", panel.YLabel, panel.Series);
                written.Add(path);
            }
        }
        return written;
    }

    private static List<Panel> Panels(IReadOnlyList<RunCondition> conditions, int smooth)
    {
        List<BandSeries> Bands(string curve, string suffix = "") => conditions
            .Select(c => RunConditions.Band(c, curve, smooth)).OfType<BandSeries>()
            .Select(b => suffix.Length == 0 ? b : b with { Name = $"{b.Name} {suffix}" }).ToList();
        var panels = new List<Panel>();
        void Add(string file, string title, string yLabel, List<BandSeries> series)
        {
            if (series.Count > 0) panels.Add(new Panel(file, title, yLabel, series));
        }
        Add("reward", "Training reward", "mean reward", Bands(RunCurves.Reward));
        Add("accuracy", "Accuracy against the true label (training samples)", "accuracy", Bands(RunCurves.Accuracy));
        Add("code-frequency", "Code-reasoning frequency", "share of responses", Bands(RunCurves.CodeFrequency));
        Add("clip-fraction", "Clipped tokens", "fraction of tokens",
            [.. Bands(RunCurves.ClipLow, "(low: A<0, ratio below 1-eps)"), .. Bands(RunCurves.ClipHigh, "(high: A>0, ratio above 1+eps)")]);
        var buckets = CurveNames(conditions, RunCurves.ClipBucketPrefix);
        Add("clip-by-probability", "Clipped tokens by old-policy probability", "fraction of the bucket's tokens",
            buckets.SelectMany(b => Bands(b, b[RunCurves.ClipBucketPrefix.Length..])).ToList());
        foreach (var set in CurveNames(conditions, RunCurves.EvalPrefix).OrderBy(n => n == RunCurves.HeldOut ? 0 : 1))  // held-out first
        {
            var name = set[RunCurves.EvalPrefix.Length..];
            Add("eval-" + FileSafe(name), $"In-training evaluation: {name}", set == RunCurves.HeldOut ? "accuracy" : "avg@k", Bands(set));
        }
        return panels;
    }

    /// <summary>Curve names with <paramref name="prefix"/> present in any run, in first-seen order.</summary>
    private static List<string> CurveNames(IReadOnlyList<RunCondition> conditions, string prefix) =>
        conditions.SelectMany(c => c.Runs).SelectMany(r => r.Series.Keys).Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToList();

    private static string FileSafe(string name) =>
        string.Concat(name.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));
}
