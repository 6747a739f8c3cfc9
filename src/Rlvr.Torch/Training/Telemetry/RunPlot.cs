using Rlvr.Core.Reporting;

namespace Rlvr.Torch.Training.Telemetry;

/// <summary>The run's headline chart: training reward, true-label accuracy and evaluation accuracy per step.</summary>
public static class RunPlot
{
    /// <summary>File name in the run folder.</summary>
    public const string FileName = "reward.png";

    /// <summary>Writes the chart of <paramref name="metrics"/> to <paramref name="path"/> (the shared chart code writes atomically).</summary>
    public static void Write(IReadOnlyList<StepMetrics> all, string path, string title)
    {
        // Step 0 holds only the base model's evaluation (no rollout): it belongs to the evaluation line alone.
        var metrics = all.Where(m => m.Step > 0).ToArray();
        double[] steps = metrics.Select(m => (double)m.Step).ToArray();
        var reward = metrics.Select(m => m.RewardMean).ToArray();
        var accuracy = metrics.Select(m => m.Accuracy).ToArray();
        var series = new List<LineSeries>();
        if (reward.SequenceEqual(accuracy))
            series.Add(new LineSeries("training reward = accuracy vs true label (sampled)", steps, reward));
        else
        {
            series.Add(new LineSeries("training reward (mean)", steps, reward));
            series.Add(new LineSeries("accuracy vs true label (sampled)", steps, accuracy));
        }
        var evals = all.Where(m => m.EvalAccuracy is not null).ToArray();
        if (evals.Length > 0)
            series.Add(new LineSeries("evaluation accuracy", evals.Select(m => (double)m.Step).ToArray(), evals.Select(m => m.EvalAccuracy!.Value).ToArray()));
        Charts.LinePlot(path, title, "training step", "fraction", series);
    }
}
