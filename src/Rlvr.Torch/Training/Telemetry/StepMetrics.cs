namespace Rlvr.Torch.Training.Telemetry;

/// <summary>Clip fractions within one bucket of the old policy's token probability.</summary>
public sealed record ClipBucket(double Tokens, double Low, double High);

/// <summary>
/// One line of metrics.jsonl (snake_case names; stable: dashboards and tests read them). Timings
/// (seconds_*, tokens_per_second) are the only fields that differ between identical runs.
/// </summary>
public sealed record StepMetrics
{
    /// <summary>Training step, from 1.</summary>
    public int Step { get; init; }
    /// <summary>Mean training reward over all responses.</summary>
    public double RewardMean { get; init; }
    /// <summary>Population std of the training reward over all responses.</summary>
    public double RewardStd { get; init; }
    /// <summary>Fraction of groups whose responses all got the same reward (no signal before whitening).</summary>
    public double ZeroSpreadGroupFraction { get; init; }
    /// <summary>Fraction of responses correct against the TRUE label (also under spurious rewards).</summary>
    public double Accuracy { get; init; }
    /// <summary>Mean over groups of "any response correct" (pass@n against the true label).</summary>
    public double PassAtN { get; init; }
    /// <summary>Mean response length in tokens.</summary>
    public double ResponseLengthMean { get; init; }
    /// <summary>Longest response in tokens.</summary>
    public int ResponseLengthMax { get; init; }
    /// <summary>Fraction of responses that hit the token budget.</summary>
    public double TruncationRate { get; init; }
    /// <summary>Fraction of responses containing "python" (the paper's code-reasoning frequency).</summary>
    public double CodeFrequency { get; init; }
    /// <summary>Fraction of response tokens clipped on the low side (A &lt; 0, ratio &lt; 1 - eps_low).</summary>
    public double ClipFractionLow { get; init; }
    /// <summary>Fraction of response tokens clipped on the high side (A &gt; 0, ratio &gt; 1 + eps_high).</summary>
    public double ClipFractionHigh { get; init; }
    /// <summary>Clip fractions per bucket of the old policy's token probability (the paper's clipping bias).</summary>
    public Dictionary<string, ClipBucket> ClipByOldProb { get; init; } = [];
    /// <summary>Fraction of responses matching <c>telemetry.strategy_pattern</c> (strategy A; "python" = the code frequency).</summary>
    public double StrategyFrequency { get; init; }
    /// <summary>Accuracy (true label) of the strategy-A responses; null when there were none.</summary>
    public double? StrategyAccuracyA { get; init; }
    /// <summary>Accuracy (true label) of the other responses; null when there were none.</summary>
    public double? StrategyAccuracyB { get; init; }
    /// <summary>Clip fractions at the decision (first response) token, by the strategy taken ("a", "b") and side.</summary>
    public Dictionary<string, ClipBucket> ClipAtDecision { get; init; } = [];
    /// <summary>Strategy task only, after the step's update: exact mean P(strategy A) over the task's problems (one scoring pass).</summary>
    public double? ExactStrategyA { get; init; }
    /// <summary>Strategy task only: exact expected accuracy of a temperature-1 sample (see StrategyProbe).</summary>
    public double? ExactAccuracy { get; init; }
    /// <summary>Strategy task only: exact P(correct | strategy A).</summary>
    public double? ExactAccuracyA { get; init; }
    /// <summary>Strategy task only: exact P(correct | strategy B).</summary>
    public double? ExactAccuracyB { get; init; }
    /// <summary>Mean token entropy of the policy on its own responses (before the update).</summary>
    public double Entropy { get; init; }
    /// <summary>Mean KL to the reference (0 without one).</summary>
    public double Kl { get; init; }
    /// <summary>Mean total loss over micro-batches.</summary>
    public double Loss { get; init; }
    /// <summary>Mean policy (clipped surrogate) loss over micro-batches.</summary>
    public double PolicyLoss { get; init; }
    /// <summary>Mean gradient norm before clipping over applied optimizer steps.</summary>
    public double GradNorm { get; init; }
    /// <summary>Learning rate of the last optimizer step.</summary>
    public double Lr { get; init; }
    /// <summary>Optimizer steps applied in this training step.</summary>
    public int OptimizerSteps { get; init; }
    /// <summary>Optimizer steps skipped for NaN/Inf loss or gradient.</summary>
    public int SkippedSteps { get; init; }
    /// <summary>Groups trained on (fewer than sampled under dynamic sampling).</summary>
    public int GroupsTrained { get; init; }
    /// <summary>Prompts drawn from the data so far.</summary>
    public long PromptsConsumed { get; init; }
    /// <summary>Grade calls of this step's rewards and accuracy that ran out of budget (each graded "not equal").</summary>
    public long GradeTimeouts { get; init; }
    /// <summary>Of <see cref="GradeTimeouts"/>, those stopped by the wall-clock safety net rather than the
    /// deterministic work bound: only these can differ on another machine or after a resume.</summary>
    public long GradeWallClockTimeouts { get; init; }
    /// <summary>Held-out accuracy (greedy), on steps with an evaluation.</summary>
    public double? EvalAccuracy { get; init; }
    /// <summary>Generated plus trained tokens per wall-clock second of the step.</summary>
    public double TokensPerSecond { get; init; }
    /// <summary>Seconds spent sampling responses (summed over ranks).</summary>
    public double SecondsGenerating { get; init; }
    /// <summary>Seconds spent computing rewards (summed over ranks).</summary>
    public double SecondsScoring { get; init; }
    /// <summary>Seconds spent in forward/backward and optimizer steps.</summary>
    public double SecondsTraining { get; init; }
    /// <summary>Wall-clock seconds of the whole step on rank 0 (rollout, update, evaluation).</summary>
    public double SecondsStep { get; init; }
    /// <summary>Seconds rank 0 spent in collectives (all-reduce, broadcast, all-gather; 0 in one process).</summary>
    public double SecondsCommunicating { get; init; }
    /// <summary>Bytes rank 0 sent into collectives during the step (0 in one process).</summary>
    public long BytesCommunicated { get; init; }
}
