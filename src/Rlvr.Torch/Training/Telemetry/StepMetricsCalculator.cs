using Rlvr.Torch.Training.Rollout;

namespace Rlvr.Torch.Training.Telemetry;

/// <summary>Turns one training step's rollouts and update statistics into its <see cref="StepMetrics"/> line.</summary>
public static class StepMetricsCalculator
{
    /// <summary>The metrics of one step from its sampled groups, its update (null when nothing was trained) and its timings.</summary>
    public static StepMetrics Compute(int step, IReadOnlyList<ResponseGroup> groups, ScoredResponse[] all, int groupsKept,
        UpdateStats? update, RolloutTiming timing, long consumed, double? evalAccuracy, double seconds)
    {
        double rewardMean = all.Average(s => s.Reward);
        var clip = update?.Clip ?? new ClipStatistics();
        var buckets = ClipStatistics.BucketNames.Select((name, b) =>
            (name, new ClipBucket(clip.BucketTokens(b), clip.BucketLowFraction(b), clip.BucketHighFraction(b))))
            .ToDictionary(x => x.name, x => x.Item2);
        var strategyA = all.Where(s => s.StrategyA).ToArray();
        var strategyB = all.Where(s => !s.StrategyA).ToArray();
        static ClipBucket Whole(ClipStatistics c) => new(c.Tokens, c.LowFraction, c.HighFraction);
        return new StepMetrics
        {
            Step = step,
            RewardMean = rewardMean,
            RewardStd = Math.Sqrt(all.Average(s => (s.Reward - rewardMean) * (s.Reward - rewardMean))),
            ZeroSpreadGroupFraction = groups.Count(g => g.ZeroSpread) / (double)groups.Count,
            Accuracy = all.Average(s => s.Correct),
            PassAtN = groups.Average(g => g.Responses.Max(r => r.Correct)),
            ResponseLengthMean = all.Average(s => (double)s.ResponseTokens.Length),
            ResponseLengthMax = all.Max(s => s.ResponseTokens.Length),
            TruncationRate = all.Average(s => s.Truncated ? 1.0 : 0.0),
            CodeFrequency = all.Average(s => s.MentionsPython ? 1.0 : 0.0),
            ClipFractionLow = clip.LowFraction,
            ClipFractionHigh = clip.HighFraction,
            ClipByOldProb = buckets,
            StrategyFrequency = strategyA.Length / (double)all.Length,
            StrategyAccuracyA = strategyA.Length == 0 ? null : strategyA.Average(s => s.Correct),
            StrategyAccuracyB = strategyB.Length == 0 ? null : strategyB.Average(s => s.Correct),
            ClipAtDecision = new() { ["a"] = Whole(update?.DecisionA ?? new()), ["b"] = Whole(update?.DecisionB ?? new()) },
            Entropy = update?.Entropy ?? 0,
            Kl = update?.Kl ?? 0,
            Loss = update?.Loss ?? 0,
            PolicyLoss = update?.PolicyLoss ?? 0,
            GradNorm = update?.GradNorm ?? 0,
            Lr = update?.LearningRate ?? 0,
            OptimizerSteps = update?.OptimizerSteps ?? 0,
            SkippedSteps = update?.SkippedSteps ?? 0,
            GroupsTrained = groupsKept,
            PromptsConsumed = consumed,
            EvalAccuracy = evalAccuracy,
            TokensPerSecond = (timing.GeneratedTokens + (update?.Tokens ?? 0)) / Math.Max(seconds, 1e-9),
            SecondsGenerating = timing.GenerateSeconds,
            SecondsScoring = timing.ScoreSeconds,
            SecondsTraining = update?.Seconds ?? 0,
            SecondsStep = seconds,
        };
    }
}
