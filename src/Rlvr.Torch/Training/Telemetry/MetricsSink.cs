using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch.utils;

namespace Rlvr.Torch.Training.Telemetry;

/// <summary>
/// Where step metrics go: <c>metrics.jsonl</c> (one object per step), a TensorBoard event file
/// (TorchSharp's SummaryWriter, scalars under train/...; on resume the older files are cut back to the resumed step), and <c>samples.jsonl</c> (completions).
/// </summary>
public sealed class MetricsSink : IDisposable
{
    /// <summary>Metrics file name in the run folder.</summary>
    public const string MetricsFile = "metrics.jsonl";
    /// <summary>Sample completions file name.</summary>
    public const string SamplesFile = "samples.jsonl";
    /// <summary>TensorBoard event files' folder in the run folder (each process writes its own file).</summary>
    public const string TensorBoardFolder = "tensorboard";
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly JsonLinesWriter _metrics;
    private readonly JsonLinesWriter _samples;
    private readonly SummaryWriter? _tensorboard;

    /// <summary>Opens the sinks in <paramref name="runDirectory"/>, first cutting files back to <paramref name="lastStep"/> (resume).</summary>
    public MetricsSink(string runDirectory, bool tensorboard, int lastStep)
    {
        var metricsPath = Path.Combine(runDirectory, MetricsFile);
        var samplesPath = Path.Combine(runDirectory, SamplesFile);
        JsonLinesWriter.TruncateAfterStep(metricsPath, lastStep);
        JsonLinesWriter.TruncateAfterStep(samplesPath, lastStep);
        _metrics = new JsonLinesWriter(metricsPath, Json);
        _samples = new JsonLinesWriter(samplesPath);
        var tensorboardDir = Path.Combine(runDirectory, TensorBoardFolder);
        TensorBoardLogTrimmer.TrimAfterStep(tensorboardDir, lastStep);
        if (tensorboard) _tensorboard = tensorboard_writer(tensorboardDir);
    }

    private static SummaryWriter tensorboard_writer(string dir) => tensorboard.SummaryWriter(dir);

    /// <summary>Records one step.</summary>
    public void Write(StepMetrics m)
    {
        _metrics.Write(m);
        if (_tensorboard is null) return;
        void Scalar(string name, double value) { if (double.IsFinite(value)) _tensorboard.add_scalar("train/" + name, (float)value, m.Step); }
        Scalar("reward_mean", m.RewardMean); Scalar("reward_std", m.RewardStd);
        Scalar("zero_spread_group_fraction", m.ZeroSpreadGroupFraction); Scalar("accuracy", m.Accuracy); Scalar("pass_at_n", m.PassAtN);
        Scalar("response_length_mean", m.ResponseLengthMean); Scalar("response_length_max", m.ResponseLengthMax);
        Scalar("truncation_rate", m.TruncationRate); Scalar("code_frequency", m.CodeFrequency);
        Scalar("clip_fraction_low", m.ClipFractionLow); Scalar("clip_fraction_high", m.ClipFractionHigh);
        foreach (var (bucket, v) in m.ClipByOldProb)
        {
            Scalar($"clip_low_{bucket}", v.Low); Scalar($"clip_high_{bucket}", v.High);
        }
        Scalar("grade_timeouts", m.GradeTimeouts);
        Scalar("strategy_frequency", m.StrategyFrequency);
        foreach (var (strategy, v) in m.ClipAtDecision) { Scalar($"clip_decision_low_{strategy}", v.Low); Scalar($"clip_decision_high_{strategy}", v.High); }
        foreach (var (name, v) in new[] { ("strategy_accuracy_a", m.StrategyAccuracyA), ("strategy_accuracy_b", m.StrategyAccuracyB),
            ("exact_strategy_a", m.ExactStrategyA), ("exact_accuracy", m.ExactAccuracy), ("exact_accuracy_a", m.ExactAccuracyA), ("exact_accuracy_b", m.ExactAccuracyB) })
            if (v is double value) Scalar(name, value);
        Scalar("entropy", m.Entropy); Scalar("kl", m.Kl); Scalar("loss", m.Loss); Scalar("policy_loss", m.PolicyLoss);
        Scalar("grad_norm", m.GradNorm); Scalar("lr", m.Lr); Scalar("tokens_per_second", m.TokensPerSecond);
        Scalar("seconds_generating", m.SecondsGenerating); Scalar("seconds_scoring", m.SecondsScoring); Scalar("seconds_training", m.SecondsTraining);
        Scalar("seconds_communicating", m.SecondsCommunicating); Scalar("seconds_step", m.SecondsStep);
        if (m.EvalAccuracy is double e) _tensorboard.add_scalar("eval/accuracy", (float)e, m.Step);
    }

    /// <summary>
    /// Records an evaluation outside a training step: the base model's, before step 1 (a line with step 0 and
    /// only eval_accuracy in metrics.jsonl, and eval/accuracy at step 0 in TensorBoard), so that every
    /// later evaluation reads against where the run started.
    /// </summary>
    public void WriteEvaluation(int step, double accuracy)
    {
        _metrics.Write(new { step, eval_accuracy = accuracy });
        _tensorboard?.add_scalar("eval/accuracy", (float)accuracy, step);
    }

    /// <summary>Appends sample completions of a step.</summary>
    public void WriteSample(object sample) => _samples.Write(sample);

    /// <summary>Reads metrics.jsonl back (for plots and tests).</summary>
    public static IReadOnlyList<StepMetrics> Read(string runDirectory) =>
        File.ReadLines(Path.Combine(runDirectory, MetricsFile))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<StepMetrics>(l, Json)!)
            .ToArray();

    /// <inheritdoc/>
    public void Dispose()
    {
        _metrics.Dispose();
        _samples.Dispose();
        (_tensorboard as IDisposable)?.Dispose();
    }
}
