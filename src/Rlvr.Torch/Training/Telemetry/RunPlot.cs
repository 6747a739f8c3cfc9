namespace Rlvr.Torch.Training.Telemetry;

/// <summary>The run's headline chart: training reward, true-label accuracy (and held-out accuracy) per step.</summary>
public static class RunPlot
{
    /// <summary>File name in the run folder.</summary>
    public const string FileName = "reward.png";

    /// <summary>Writes the chart of <paramref name="metrics"/> to <paramref name="path"/> (temp file, then rename).</summary>
    public static void Write(IReadOnlyList<StepMetrics> metrics, string path, string title)
    {
        var plot = new ScottPlot.Plot();
        double[] steps = metrics.Select(m => (double)m.Step).ToArray();
        var reward = plot.Add.Scatter(steps, metrics.Select(m => m.RewardMean).ToArray());
        reward.LegendText = "training reward (mean)";
        var accuracy = plot.Add.Scatter(steps, metrics.Select(m => m.Accuracy).ToArray());
        accuracy.LegendText = "accuracy vs true label (sampled)";
        var evals = metrics.Where(m => m.EvalAccuracy is not null).ToArray();
        if (evals.Length > 0)
        {
            var eval = plot.Add.Scatter(evals.Select(m => (double)m.Step).ToArray(), evals.Select(m => m.EvalAccuracy!.Value).ToArray());
            eval.LegendText = "held-out accuracy (greedy)";
        }
        plot.Title(title);
        plot.XLabel("training step");
        plot.YLabel("fraction");
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend();
        var temp = path + ".tmp.png";
        plot.SavePng(temp, 800, 500);
        File.Move(temp, path, overwrite: true);
    }
}
