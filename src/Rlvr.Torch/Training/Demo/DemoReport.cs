using System.Globalization;
using System.Text;
using Rlvr.Core.Reporting;

namespace Rlvr.Torch.Training.Demo;

/// <summary>The demo's table (change over the start, mean and spread over seeds) and its seed-band figures.</summary>
public static class DemoReport
{
    /// <summary>A markdown table, one row per condition in the order given.</summary>
    public static string Table(IReadOnlyList<DemoRun> runs, IReadOnlyList<DemoCondition> conditions)
    {
        var text = new StringBuilder();
        text.AppendLine("| condition | seeds | start accuracy | Δ exact accuracy, mean [95% CI] | seeds up | start P(A) | Δ P(A), mean [95% CI] | seeds up | clipped decision tokens A / B |");
        text.AppendLine("|---|---:|---:|---|---:|---:|---|---:|---:|");
        foreach (var condition in conditions)
        {
            var rows = runs.Where(r => r.Condition == condition.Name).ToArray();
            if (rows.Length < 2) continue;
            var accuracy = SeedSummary.Of(rows.Select(r => r.Accuracy[^1] - r.Accuracy[0]).ToArray());
            var pa = SeedSummary.Of(rows.Select(r => r.StrategyA[^1] - r.StrategyA[0]).ToArray());
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {condition.Name} | {rows.Length} | {rows.Average(r => r.Accuracy[0]):0.000} | {Interval(accuracy)} | {accuracy.Positive}/{rows.Length} | " +
                $"{rows.Average(r => r.StrategyA[0]):0.000} | {Interval(pa)} | {pa.Positive}/{rows.Length} | " +
                $"{rows.Average(r => r.DecisionClipA):0.000} / {rows.Average(r => r.DecisionClipB):0.000} |"));
        }
        return text.ToString();
    }

    private static string Interval(SeedSummary s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Mean:+0.000;-0.000;0.000} [{s.Low95:+0.000;-0.000;0.000}, {s.High95:+0.000;-0.000;0.000}]");

    /// <summary>
    /// Two PNGs: the change of exact accuracy and of exact P(A) since step 0 against step, mean over seeds
    /// with the seeds' range as a band (changes, because the seeds' bases start at different points).
    /// </summary>
    public static void Figures(IReadOnlyList<DemoRun> runs, IReadOnlyList<DemoCondition> conditions, string accuracyPath, string strategyPath)
    {
        BandSeries Band(string name, DemoRun[] rows, Func<DemoRun, double[]> values)
        {
            int steps = rows.Min(r => r.Steps.Length);
            var x = rows[0].Steps.Take(steps).Select(s => (double)s).ToArray();
            var columns = Enumerable.Range(0, steps).Select(i => rows.Select(r => values(r)[i] - values(r)[0]).ToArray()).ToArray();
            return new BandSeries(name, x, columns.Select(c => c.Average()).ToArray(), columns.Select(c => c.Min()).ToArray(), columns.Select(c => c.Max()).ToArray());
        }
        var groups = conditions.Select(c => (c.Name, Rows: runs.Where(r => r.Condition == c.Name).ToArray())).Where(g => g.Rows.Length > 0).ToArray();
        int seeds = groups.Max(g => g.Rows.Length);
        Charts.BandPlot(accuracyPath, $"Strategy task: change of exact expected accuracy (mean of {seeds} seeds, band = range)", "training step", "accuracy - accuracy at step 0",
            groups.Select(g => Band(g.Name, g.Rows, r => r.Accuracy)).ToArray());
        Charts.BandPlot(strategyPath, $"Strategy task: change of exact P(strategy A) (mean of {seeds} seeds, band = range)", "training step", "P(A) - P(A) at step 0",
            groups.Select(g => Band(g.Name, g.Rows, r => r.StrategyA)).ToArray());
    }
}
