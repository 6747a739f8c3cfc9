using Rlvr.Core.Data;
using Rlvr.Torch.Training.Rollout;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Training;

public class StepMetricsTests
{
    [Fact]
    public void Rollout_statistics_are_computed_as_documented()
    {
        var p = new Problem("0", "q", "a", "t", DatasetSplit.Train);
        ScoredResponse R(double reward, double correct, int length, bool truncated, string text = "x") =>
            new(p, [1], Enumerable.Repeat(7, length).ToArray(), text, truncated, reward, correct);
        var groups = new[]
        {
            new ResponseGroup(p, [R(1, 1, 2, false), R(0, 0, 4, true, "I'll use Python")]),
            new ResponseGroup(p, [R(1, 0, 3, false), R(1, 1, 3, false)]),
        };
        var all = groups.SelectMany(g => g.Responses).ToArray();
        var m = StepMetricsCalculator.Compute(7, groups, all, 2, null, new RolloutTiming(2, 1, 12), 4, null, 4);
        // rewards 1,0,1,1: mean .75, population std sqrt(.1875); group 2 has zero spread
        Assert.Equal(0.75, m.RewardMean, 9);
        Assert.Equal(Math.Sqrt(0.1875), m.RewardStd, 9);
        Assert.Equal(0.5, m.ZeroSpreadGroupFraction);
        Assert.Equal(0.5, m.Accuracy);          // correct 1,0,0,1 against the true label
        Assert.Equal(1.0, m.PassAtN);           // each group has a correct response
        Assert.Equal(3.0, m.ResponseLengthMean);
        Assert.Equal(4, m.ResponseLengthMax);
        Assert.Equal(0.25, m.TruncationRate);
        Assert.Equal(0.25, m.CodeFrequency);    // "python", any case
        Assert.Equal(3.0, m.TokensPerSecond);   // 12 generated tokens / 4 s, nothing trained
        Assert.Equal(0, m.OptimizerSteps);
    }
}
