using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Configuration;

namespace Rlvr.Torch.Tests.Training;

public class ConfigTests
{
    [Fact]
    public void Defaults_are_the_papers_run()
    {
        var c = new TrainConfig();
        Assert.Equal((64, 16, 1.0, 1.0, 3072, 1024), (c.Rollout.PromptsPerStep, c.Rollout.SamplesPerPrompt,
            c.Rollout.Temperature, c.Rollout.TopP, c.Rollout.MaxNewTokens, c.Rollout.MaxPromptTokens));
        Assert.Equal((128, 4), (c.Grpo.TrainBatchSize, c.Grpo.MicroBatchSize));
        // 64 x 16 = 1024 samples per rollout batch / 128 per optimizer step = 8 updates
        Assert.Equal(8, c.Rollout.PromptsPerStep * c.Rollout.SamplesPerPrompt / c.Grpo.TrainBatchSize);
        Assert.Equal((5e-7, 0.9, 0.95, 1.0), (c.Optimizer.Lr, c.Optimizer.Beta1, c.Optimizer.Beta2, c.Optimizer.MaxGradNorm));
        Assert.Equal((0.2, 0.2, PolicyLossKind.ClippedRatio, 0.0, 0.0, 10.0), (c.Grpo.EpsLow, c.Grpo.EpsHigh, c.Grpo.PolicyLoss, c.Grpo.KlCoef, c.Grpo.EntropyCoef, c.Grpo.AdvantageClip));
        Assert.Equal(42, c.Run.Seed);
    }

    [Fact]
    public void Yaml_then_overrides_in_order()
    {
        var yaml = "rollout:\n  temperature: 0.6\ngrpo:\n  loss_aggregation: dr_grpo\n";
        var c = ConfigLoader.Parse(yaml, ["rollout.temperature=0.7", "grpo.kl_estimator=k3", "rollout.stop=[\"</answer>\", x]", "grpo.policy_loss=unclipped_probability"]);
        Assert.Equal(0.7, c.Rollout.Temperature);
        Assert.Equal(LossAggregation.DrGrpo, c.Grpo.LossAggregation);
        Assert.Equal(KlEstimator.K3, c.Grpo.KlEstimator);
        Assert.Equal(["</answer>", "x"], c.Rollout.Stop);
        Assert.Equal(PolicyLossKind.UnclippedProbability, c.Grpo.PolicyLoss);
        Assert.Equal(16, c.Rollout.SamplesPerPrompt);  // untouched default
    }

    [Fact]
    public void Resolved_yaml_round_trips()
    {
        var c = ConfigLoader.Load("random_no_clip_1.5b");
        var again = ConfigLoader.Parse(ConfigLoader.ToYaml(c));
        Assert.Equal(ConfigLoader.ToYaml(c), ConfigLoader.ToYaml(again));
        Assert.Equal("qwen2.5-math-1.5b-random_no_clip", again.Run.Name);
    }

    [Fact]
    public void Paper_presets_name_upstreams_in_training_evaluation_sets()
    {
        // upstream --extra_eval_task_fast "test,AIME2025-TTT@8,AIME-TTT@8,AMC-TTT@8,AMC-TTT@1,MATH-TTT@1", where
        // "test" is DeepScaleR's test split (= AIME 2024) generated greedily
        string[] upstream = ["AIME-2024@1", "AIME-2025@8", "AIME-2024@8", "AMC@8", "AMC@1", "MATH-500@1"];
        foreach (var preset in new[] { "ground_truth", "random", "incorrect_1.5b", "random_small_rollout" })
            Assert.Equal(upstream, ConfigLoader.Load(preset).Eval.Sets);
        var work = Rlvr.Core.Evaluation.EvalSession.Plan(new(upstream, DataDir: Rlvr.Tests.RepoPaths.Data()));
        Assert.Equal([(30, 1, 0.0), (30, 8, 0.6), (30, 8, 0.6), (83, 8, 0.6), (83, 1, 0.0), (500, 1, 0.0)],
            work.Select(w => (w.Problems.Count, w.Plan.Samples, w.Plan.Temperature)));
    }

    [Fact]
    public void Presets_extend_each_other()
    {
        var names = ConfigLoader.EmbeddedPresets;
        foreach (var n in new[] { "ground_truth", "majority_vote", "incorrect", "one_shot", "format", "python", "random",
                     "random_no_clip", "random_one_update", "ground_truth_1.5b", "tiny-cpu" })
            Assert.Contains(n, names);
        var noClip = ConfigLoader.Load("random_no_clip_1.5b");
        Assert.Equal("random0.5", noClip.Reward.Name);
        Assert.Equal(PolicyLossKind.UnclippedRatio, noClip.Grpo.PolicyLoss);
        Assert.Equal("Qwen/Qwen2.5-Math-1.5B", noClip.Model.Path);
        var oneUpdate = ConfigLoader.Load("random_one_update");
        Assert.Equal(1, oneUpdate.Rollout.PromptsPerStep * oneUpdate.Rollout.SamplesPerPrompt / oneUpdate.Grpo.TrainBatchSize);
        // the paper's third ablation: 8 prompts x 16 samples = 128 samples = one train batch, one on-policy update
        foreach (var name in new[] { "random_small_rollout", "random_small_rollout_1.5b" })
        {
            var small = ConfigLoader.Load(name);
            Assert.Equal((8, 16, 128), (small.Rollout.PromptsPerStep, small.Rollout.SamplesPerPrompt, small.Grpo.TrainBatchSize));
            Assert.Equal(PolicyLossKind.ClippedRatio, small.Grpo.PolicyLoss);
            Assert.Equal("random0.5", small.Reward.Name);
        }
        Assert.Equal(PolicyLossKind.UnclippedProbability, ConfigLoader.Load("random_no_clip_probability_1.5b").Grpo.PolicyLoss);
        Assert.Equal("box_only_format", ConfigLoader.Load("format").Reward.Name);
        Assert.Equal("contain_python_wo_backticks", ConfigLoader.Load("python").Reward.Name);
        Assert.Equal("DeepScaleR_mv_labeled_qwen2.5_math_1.5b", ConfigLoader.Load("majority_vote_1.5b").Data.Source);
        Assert.NotNull(ConfigLoader.Load(null).Model.Tiny);  // the embedded default is tiny-cpu
        // every preset loads and validates, and names a dataset, template and reward that exist
        foreach (var n in names)
        {
            var c = ConfigLoader.Load(n);
            Assert.True(c.Data.Source is Rlvr.Torch.Training.Tiny.ArithmeticTask.SourceName or Rlvr.Torch.Training.Tiny.StrategyTask.SourceName
                || Rlvr.Core.Data.DatasetCatalog.Find(c.Data.Source) is not null,
                $"{n}: data.source {c.Data.Source} is not in the catalog");
            Assert.True(c.Data.TrueLabels.Length == 0 || Rlvr.Core.Data.DatasetCatalog.Find(c.Data.TrueLabels) is not null, $"{n}: data.true_labels");
            Rlvr.Core.Templates.PromptTemplates.Create(c.Data.Template);
            Rlvr.Core.Rewards.RewardRegistry.Create(c.Reward.Name);
            Rlvr.Core.Rewards.RewardRegistry.Create(c.Reward.Accuracy);
        }
    }

    [Fact]
    public void Bad_input_names_the_key()
    {
        var unknown = Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("rollout:\n  temprature: 1\n", origin: "x.yaml"));
        Assert.Contains("x.yaml", unknown.Message);
        Assert.Contains("temprature", unknown.Message);
        var ratio = Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["grpo.train_batch_size=100"]));
        Assert.Contains("grpo.train_batch_size", ratio.Message);
        Assert.Throws<ArgumentException>(() => ConfigLoader.Parse("", ["rollout.temperature"]));
        Assert.Contains("optimizer.lr", Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["optimizer.lr=.nan"])).Message);
        Assert.Contains("grpo.entropy_coef", Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["grpo.entropy_coef=.inf"])).Message);
        Assert.Throws<FileNotFoundException>(() => ConfigLoader.Load("no/such.yaml"));
    }

    [Fact]
    public void Grade_time_limit_defaults_to_250_ms_and_can_be_set()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), ConfigLoader.Parse("").Reward.ToGradeOptions().TimeLimit);   // the safety net
        Assert.Equal(1_000_000, ConfigLoader.Parse("").Reward.ToGradeOptions().WorkLimit);                 // the deterministic bound
        Assert.Contains("reward.grade_work_limit", Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["reward.grade_work_limit=0"])).Message);
        Assert.Equal(TimeSpan.FromSeconds(20), ConfigLoader.Parse("", ["reward.grade_time_limit_ms=20000"]).Reward.ToGradeOptions().TimeLimit);
        Assert.Contains("reward.grade_time_limit_ms", Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["reward.grade_time_limit_ms=0"])).Message);
    }

    [Fact]
    public void The_math_grader_is_the_papers_by_default_and_verify_on_request()
    {
        Assert.Equal(Rlvr.Grading.GraderMode.Paper, ConfigLoader.Parse("").Reward.ToGraderMode());
        Assert.Equal(Rlvr.Grading.GraderMode.Verify, ConfigLoader.Parse("", ["reward.grader=verify"]).Reward.ToGraderMode());
        Assert.Contains("reward.grader", Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["reward.grader=sympy"])).Message);
    }

    [Fact]
    public void A_bad_override_is_reported_against_its_set_not_the_file()
    {
        var unknown = Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["rollout.temprature=1"], origin: "x.yaml"));
        Assert.Equal("--set 'rollout.temprature=1': unknown key 'temprature' in section 'rollout'.", unknown.Message);
        Assert.Equal("--set 'nokey=1': unknown key 'nokey' at the top level.",
            Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["nokey=1"])).Message);
        var badValue = Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("", ["run.seed=1", "rollout.temperature=abc"], origin: "x.yaml"));
        Assert.StartsWith("--set 'rollout.temperature=abc': ", badValue.Message);
        // An error already in the file stays the file's, even when overrides follow.
        var inFile = Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("rollout:\n  temprature: 1\n", ["run.seed=1"], origin: "x.yaml"));
        Assert.StartsWith("x.yaml: ", inFile.Message);
        // A value of the wrong type in the file names its key and what was expected, as --set does.
        Assert.Equal("x.yaml: rollout.temperature: expected a number, got 'abc'",
            Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("rollout:\n  temperature: abc\n", origin: "x.yaml")).Message);
        Assert.Equal("x.yaml: run.seed: expected an integer, got '1.5'",
            Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("run:\n  seed: 1.5\n", origin: "x.yaml")).Message);
        Assert.Equal("x.yaml: grpo.whiten_advantages: expected true or false, got 'maybe'",
            Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("grpo:\n  whiten_advantages: maybe\n", origin: "x.yaml")).Message);
        Assert.Equal("x.yaml: grpo.policy_loss: expected one of clipped_ratio, unclipped_ratio, unclipped_probability, got 'none'",
            Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("grpo:\n  policy_loss: none\n", origin: "x.yaml")).Message);
        var badEnum = Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("grpo:\n  kl_estimator: k9\n", origin: "x.yaml")).Message;
        Assert.StartsWith("x.yaml: grpo.kl_estimator: expected one of ", badEnum);
        Assert.EndsWith(", got 'k9'", badEnum);
        // A scalar where a section belongs is named by its YAML section, not by a C# type.
        Assert.Equal("x.yaml: expected a mapping of keys in section 'run', found a single value.",
            Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("run: 5\n", origin: "x.yaml")).Message);
    }
}
