using Rlvr.Core.Data;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Demo;
using Rlvr.Torch.Training.Telemetry;
using Rlvr.Torch.Training.Tiny;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests.Training;

/// <summary>The strategy task (the model organism of spurious rewards), its exact probe, its telemetry and the demo.</summary>
[Collection(TinyTrainingRuns.Name)]
public class StrategyTaskTests
{
    private static readonly Problem SevenPlusEight = new("0", "7+8=", "15", StrategyTask.SourceName, DatasetSplit.Train);

    [Fact]
    public void Warm_start_targets_follow_the_mix_and_b_alone_carries_wrong_answers()
    {
        var random = new Random(5);
        var targets = Enumerable.Range(0, 20000).Select(_ => StrategyTask.WarmStartTarget(SevenPlusEight, new StrategyMix(0.75, 0.4), random)).ToArray();
        var a = targets.Where(t => t.StartsWith('#')).ToArray();
        var b = targets.Where(t => !t.StartsWith('#')).ToArray();
        // binomial: sd of a fraction over 20,000 draws is sqrt(.75 * .25 / 20000) = .0031; of B's error rate over ~5,000 draws .0069
        Assert.InRange(a.Length / 20000.0, 0.75 - 5 * 0.0031, 0.75 + 5 * 0.0031);
        Assert.All(a, t => Assert.Equal("#15", t));
        Assert.InRange(b.Count(t => t != "15") / (double)b.Length, 0.4 - 5 * 0.0069, 0.4 + 5 * 0.0069);
        Assert.All(b.Where(t => t != "15"), t => Assert.Contains(t, new[] { "16", "17", "18" }));
    }

    [Fact]
    public void Problems_are_the_arithmetic_tasks_and_a_label_shift_leaves_the_true_answer()
    {
        var arithmetic = ArithmeticTask.Generate(30, 9, 3);
        var shifted = StrategyTask.Generate(30, 9, 3, labelShift: 1);
        Assert.Equal(arithmetic.Select(p => p.Prompt), shifted.Select(p => p.Prompt));
        foreach (var (plain, wrong) in arithmetic.Zip(shifted))
        {
            Assert.Equal(int.Parse(plain.Label) + 1, int.Parse(wrong.Label));
            Assert.Equal(plain.Label, StrategyTask.TrueAnswer(wrong));
        }
    }

    [Fact]
    public void The_exact_probe_matches_probabilities_from_the_models_own_logits()
    {
        // Reference: each sequence scored alone (no padding), probabilities multiplied token by token
        // from the softmax of the full logits; the probe scores both forms of every problem in one padded batch.
        using var model = TinyModel.Create(new TinyModelConfig(), Placement.Cpu, seed: 7);
        var problems = new[] { SevenPlusEight, SevenPlusEight with { Prompt = "2+3=", Label = "5" }, SevenPlusEight with { Prompt = "10+9=", Label = "19" } };
        int[] Encode(string text) => System.Text.Encoding.ASCII.GetBytes(text).Select(b => (int)b).ToArray();  // byte tokenizer: id = byte
        var exact = StrategyProbe.Measure(model, problems, p => Encode(p.Prompt), Encode, TinyTokenizer.EndOfTextId);

        double SequenceProbability(int[] prompt, int[] response, out double first)
        {
            using var scope = NewDisposeScope();
            using var noGrad = torch.no_grad();
            var ids = torch.tensor(prompt.Concat(response).Select(i => (long)i).ToArray()).unsqueeze(0);
            var probs = model.Logits(ids).to(float64).softmax(-1)[0];                     // [T, V]
            double p = 1; first = double.NaN;
            for (int j = 0; j < response.Length; j++)
            {
                double q = probs[prompt.Length - 1 + j, response[j]].item<double>();
                if (j == 0) first = q;
                p *= q;
            }
            return p;
        }
        double pA = 0, correct = 0;
        foreach (var problem in problems)
        {
            var answer = StrategyTask.TrueAnswer(problem);
            correct += SequenceProbability(Encode(problem.Prompt), [.. Encode("#" + answer), TinyTokenizer.EndOfTextId], out var firstA);
            correct += SequenceProbability(Encode(problem.Prompt), [.. Encode(answer), TinyTokenizer.EndOfTextId], out _);
            pA += firstA;
        }
        // float32 forward passes in different layouts: agreement to a few float32 ulps of values near 1e-2..1
        Assert.Equal(pA / problems.Length, exact.StrategyA, 1e-5);
        Assert.Equal(correct / problems.Length, exact.Accuracy, 1e-5);
    }

    [Fact]
    public void A_strategies_run_logs_strategy_telemetry_and_the_exact_mix_after_each_step()
    {
        using var folder = new TempFolder();
        var config = ConfigLoader.Load("strategies", ["run.steps=2", "warm_start.steps=40",
            "telemetry.samples_every=1", "telemetry.samples_count=1000"]);
        var result = new GrpoTrainer(config, new TrainOptions(folder.Path)).Run();
        Assert.True(result.Completed, result.Message);
        var metrics = MetricsSink.Read(folder.Path);
        var samples = File.ReadLines(Path.Combine(folder.Path, "samples.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToArray();
        foreach (var m in metrics)
        {
            var ofStep = samples.Where(s => s.GetProperty("step").GetInt32() == m.Step).ToArray();
            Assert.Equal(128, ofStep.Length);
            var a = ofStep.Where(s => s.GetProperty("response").GetString()!.StartsWith('#')).ToArray();
            Assert.Equal(a.Length / 128.0, m.StrategyFrequency, 12);
            if (a.Length > 0) Assert.Equal(a.Average(s => s.GetProperty("correct").GetDouble()), m.StrategyAccuracyA!.Value, 12);
            Assert.InRange(m.ExactStrategyA!.Value, 0, 1);
            Assert.InRange(m.ExactAccuracy!.Value, 0, 1);
            // 128 decision tokens per step, split by the strategy taken
            Assert.Equal(128, m.ClipAtDecision["a"].Tokens + m.ClipAtDecision["b"].Tokens);
            Assert.Equal(a.Length, (int)m.ClipAtDecision["a"].Tokens);
        }
    }

    [Fact]
    public void The_demo_runs_every_condition_per_seed_from_one_base_per_mix()
    {
        using var folder = new TempFolder();
        var config = ConfigLoader.Load("strategies", ["run.steps=2", "warm_start.steps=20"]);
        var conditions = DemoCondition.All.Where(c => c.Name is "random_one_update" or "inverse_random_clip").ToArray();
        var runs = SpuriousRewardDemo.Run(config, conditions, [1, 2], folder.Path);
        Assert.Equal(4, runs.Count);
        // two mixes (0.75 and the inverse 0.25) x two seeds
        Assert.Equal(4, Directory.GetDirectories(Path.Combine(folder.Path, "bases")).Length);
        Assert.All(runs, r => Assert.Equal([0, 1, 2], r.Steps));
        // one update per batch: strictly on-policy, so no decision token is ever clipped
        Assert.All(runs.Where(r => r.Condition == "random_one_update"), r => Assert.Equal(0, r.DecisionClipA + r.DecisionClipB));
        var table = DemoReport.Table(runs, conditions);
        Assert.Contains("| random_one_update | 2 |", table);
        Assert.Contains("| inverse_random_clip | 2 |", table);
    }
}
