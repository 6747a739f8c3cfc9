using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Training;

/// <summary>The base model's evaluation (before step 1) is recorded like the later ones: metrics.jsonl, TensorBoard, the plot.</summary>
[Collection(TinyTrainingRuns.Name)]
public sealed class StepZeroEvalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_step_0_evaluation_is_in_metrics_tensorboard_and_the_plot()
    {
        var run = _temp["run"];
        var logged = new List<string>();
        var result = new GrpoTrainer(TrainerEndToEndTests.Tiny("run.steps=2", "eval.every=2", "checkpoint.every=0"),
            new TrainOptions(run, Log: logged.Add)).Run();
        Assert.True(result.Completed, result.Message);

        var metrics = MetricsSink.Read(run);
        Assert.Equal([0, 1, 2], metrics.Select(m => m.Step));
        var printed = Assert.Single(logged, l => l.StartsWith("eval at step 0: accuracy ", StringComparison.Ordinal));
        Assert.Equal(printed["eval at step 0: accuracy ".Length..], metrics[0].EvalAccuracy!.Value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, metrics[0].RewardMean);  // no rollout at step 0: only the evaluation
        Assert.Equal([0, 2], TensorBoardResumeTests.Scalars(run, "eval/accuracy").Select(s => s.Step));
        Assert.Equal([1, 2], TensorBoardResumeTests.Scalars(run, "train/reward_mean").Select(s => s.Step));
        Assert.True(File.Exists(Path.Combine(run, RunPlot.FileName)));
    }
}
