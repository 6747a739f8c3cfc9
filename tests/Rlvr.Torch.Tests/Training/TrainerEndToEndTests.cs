using Rlvr.Tests;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Training;

/// <summary>
/// The whole trainer on the tiny-cpu preset (a tiny Qwen2 model built here, generated arithmetic).
/// Each test runs a few steps in a temporary run folder.
/// </summary>
[Collection(TinyTrainingRuns.Name)]
public class TrainerEndToEndTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-train-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    internal static TrainConfig Tiny(params string[] overrides) => ConfigLoader.Load("tiny-cpu", overrides);

    private (TrainResult Result, string Dir, IReadOnlyList<StepMetrics> Metrics) Train(string name, TrainConfig config)
    {
        var dir = Path.Combine(_root, name);
        var result = new GrpoTrainer(config, new TrainOptions(dir)).Run();
        return (result, dir, MetricsSink.Read(dir));
    }

    [Fact]
    public void A_few_steps_change_every_trainable_parameter_and_keep_the_loss_finite()
    {
        var (result, dir, metrics) = Train("few", Tiny("run.steps=3", "eval.every=0", "checkpoint.every=3"));
        Assert.True(result.Completed, result.Message);
        Assert.Equal([1, 2, 3], metrics.Select(m => m.Step));
        Assert.All(metrics, m =>
        {
            Assert.True(double.IsFinite(m.Loss) && double.IsFinite(m.GradNorm) && m.GradNorm > 0);
            Assert.True(m.OptimizerSteps > 0);
            Assert.Equal(0, m.SkippedSteps);
        });
        using var before = CheckpointLoader.Load(Path.Combine(dir, "base-model"), Placement.Cpu);
        using var after = CheckpointLoader.Load(Path.Combine(dir, "checkpoints", "step-000003", "model"), Placement.Cpu);
        var original = before.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var trained = after.named_parameters().ToArray();
        Assert.NotEmpty(trained);
        foreach (var (name, p) in trained)
            Assert.False(p.allclose(original[name], rtol: 0, atol: 0), $"{name} is unchanged after 3 steps");
        // the run folder has what the README promises
        foreach (var file in new[] { GrpoTrainer.ConfigFile, MetricsSink.MetricsFile, RunPlot.FileName })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        var events = Directory.GetFiles(Path.Combine(dir, "tensorboard"), "events.out.tfevents*");
        Assert.Contains(events, f => System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(f)).Contains("train/reward_mean"));
        // metrics.jsonl keeps its documented names (dashboards and scripts read them)
        using var line = System.Text.Json.JsonDocument.Parse(File.ReadLines(Path.Combine(dir, MetricsSink.MetricsFile)).First());
        foreach (var key in new[] { "step", "reward_mean", "reward_std", "zero_spread_group_fraction", "accuracy", "response_length_mean",
                     "response_length_max", "truncation_rate", "code_frequency", "clip_fraction_low", "clip_fraction_high", "clip_by_old_prob",
                     "entropy", "kl", "loss", "grad_norm", "lr", "tokens_per_second", "seconds_generating", "seconds_scoring", "seconds_training" })
            Assert.True(line.RootElement.TryGetProperty(key, out _), $"metrics.jsonl lacks {key}");
        Assert.True(File.Exists(Path.Combine(dir, "checkpoints", "step-000003", "optimizer.bin")));
    }

    [Fact]
    public void Reward_rises_on_the_easy_task()
    {
        // Threshold: within 30 steps the mean training reward of steps 26-30 exceeds that of steps 1-5
        // by at least 0.10 (absolute). Measured on this preset: ~0.40 -> ~0.60 over 30 steps.
        var (result, _, metrics) = Train("rise", Tiny("run.steps=30", "eval.every=0", "checkpoint.every=0"));
        Assert.True(result.Completed, result.Message);
        double first = metrics.Take(5).Average(m => m.RewardMean), last = metrics.Skip(25).Average(m => m.RewardMean);
        Assert.True(last >= first + 0.10, $"reward went from {first:F3} (steps 1-5) to {last:F3} (steps 26-30)");
        // the training reward is the math reward, so it is the true-label accuracy here
        Assert.All(metrics, m => Assert.Equal(m.RewardMean, m.Accuracy));
    }

    [Fact]
    public void Bf16_compute_with_a_kl_penalty_and_an_entropy_bonus_trains()
    {
        // bf16 forward/backward with fp32 masters (the GPU setting, on CPU here); a reference model is
        // loaded because kl_coef != 0. The second update of each step is off-policy, so KL > 0 from step 1.
        var (result, dir, metrics) = Train("bf16-kl", Tiny("run.steps=2", "eval.every=0", "checkpoint.every=2", "model.dtype=bf16",
            "grpo.kl_coef=0.05", "grpo.kl_estimator=k3", "grpo.entropy_coef=0.01", "warm_start.steps=20"));
        Assert.True(result.Completed, result.Message);
        Assert.All(metrics, m => { Assert.True(double.IsFinite(m.Loss)); Assert.True(m.Kl > 0, $"step {m.Step}: KL {m.Kl}"); Assert.Equal(2, m.OptimizerSteps); });
        var saved = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "checkpoints", "step-000002", "model", "config.json")))!;
        Assert.Equal("bfloat16", (string?)saved["torch_dtype"]);
    }

    [Fact]
    public void The_papers_preset_runs_on_a_real_dataset_with_an_hf_model_folder()
    {
        // The ground_truth preset's path (dataset catalog, qwen-math chat template, math reward with the
        // paper's grader, lr 5e-7, an HF folder via --model), shrunk: the qwen2-tied fixture model with
        // the tiny ChatML tokenizer fixture, two MATH-500 problems x 2 samples, 8 new tokens.
        var model = TinyModelFolder.Create(_root, "model");
        var config = ConfigLoader.Load("ground_truth", ["run.steps=1", "run.device=cpu", "run.threads=1", "data.source=MATH-500", "data.split=test", "data.max_samples=8",
            "rollout.prompts_per_step=2", "rollout.samples_per_prompt=2", "rollout.max_new_tokens=8", "grpo.train_batch_size=2",
            "grpo.micro_batch_size=1", "checkpoint.every=1", "telemetry.tensorboard=false"]);
        var dir = Path.Combine(_root, "paper");
        var result = new GrpoTrainer(config, new TrainOptions(dir, ModelOverride: model)).Run();
        Assert.True(result.Completed, result.Message);
        var m = Assert.Single(MetricsSink.Read(dir));
        Assert.Equal(2, m.OptimizerSteps);
        Assert.True(double.IsFinite(m.Loss));
        Assert.Equal(5e-7, m.Lr);
        Assert.Equal(2, m.PromptsConsumed);
        using var saved = CheckpointLoader.Load(Path.Combine(dir, "checkpoints", "step-000001", "model"), Placement.Cpu);
        Assert.True(File.Exists(Path.Combine(dir, "checkpoints", "step-000001", "model", "tokenizer.json")));
        Assert.Contains("template: qwen-math", File.ReadAllText(Path.Combine(dir, GrpoTrainer.ConfigFile)));
    }

    [Fact]
    public void Dynamic_sampling_trains_only_on_groups_with_reward_spread()
    {
        var (result, _, metrics) = Train("dapo", Tiny("run.steps=2", "eval.every=0", "checkpoint.every=0", "rollout.dynamic_sampling=true",
            "rollout.dynamic_sampling_max_rounds=1"));
        Assert.True(result.Completed, result.Message);
        foreach (var m in metrics)
        {
            // groups sampled = 32 (one round) or 64 (two); those kept are the ones with spread, at most 32
            int sampled = (int)(m.PromptsConsumed - (m.Step == 1 ? 0 : metrics[m.Step - 2].PromptsConsumed));
            Assert.Contains(sampled, new[] { 32, 64 });
            int withSpread = (int)Math.Round(sampled * (1 - m.ZeroSpreadGroupFraction));
            Assert.Equal(Math.Min(32, withSpread), m.GroupsTrained);
        }
    }

    [Fact]
    public void Random_reward_with_several_updates_per_rollout_shows_clipping_and_one_update_shows_none()
    {
        // random0.5 ignores the answer; with 2 optimizer steps per rollout batch the second one is
        // off-policy and the clip acts (the paper's clipping bias). With one update per rollout batch
        // the policy equals the old policy when the loss is taken, so nothing is clipped.
        var (clipped, _, several) = Train("random", Tiny("run.steps=3", "eval.every=0", "checkpoint.every=0", "reward.name=random0.5", "optimizer.lr=3e-3"));
        Assert.True(clipped.Completed, clipped.Message);
        Assert.All(several, m => Assert.Equal(2, m.OptimizerSteps));
        Assert.True(several.Sum(m => m.ClipFractionLow + m.ClipFractionHigh) > 0, "no token was clipped");
        Assert.Contains(several, m => m.ClipByOldProb.Values.Any(b => b.Low + b.High > 0));
        // spurious reward, true accuracy still measured
        Assert.All(several, m => Assert.InRange(m.Accuracy, 0, 1));

        var (onPolicy, _, single) = Train("one-update", Tiny("run.steps=2", "eval.every=0", "checkpoint.every=0", "reward.name=random0.5",
            "optimizer.lr=3e-3", "grpo.train_batch_size=256"));
        Assert.True(onPolicy.Completed, onPolicy.Message);
        Assert.All(single, m => { Assert.Equal(1, m.OptimizerSteps); Assert.Equal(0, m.ClipFractionLow); Assert.Equal(0, m.ClipFractionHigh); });
    }
}

/// <summary>Training runs share the two cores badly: they run one after another, not in parallel.</summary>
[CollectionDefinition(Name)]
public sealed class TinyTrainingRuns
{
    /// <summary>The collection's name.</summary>
    public const string Name = "tiny training runs";
}
