using System.Text.Json;
using Rlvr.Cli.Commands;
using Rlvr.Tests;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Configuration;

namespace Rlvr.Torch.Tests;

/// <summary>
/// `rlvr label --model` through the verb itself, on a real (tiny) model: the qwen2-tied fixture weights with
/// the tiny ChatML tokenizer, the first problems of the shipped DeepScaleR set, the paper grader.
/// </summary>
public sealed class LabelFromModelTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-label-" + Guid.NewGuid().ToString("N"));
    private readonly string _modelDir;
    private readonly string _out;

    public LabelFromModelTests()
    {
        _modelDir = TinyModelFolder.Create(_root);
        _out = Path.Combine(_root, "out");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Upstream's folder naming: DeepScaleR_mv_labeled_{model}.</summary>
    private const string SetName = "DeepScaleR_mv_labeled_tiny-qwen2";

    private string SamplesPath => Path.Combine(_out, SetName + "_samples.jsonl");

    private int Label(params string[] extra) =>
        LabelCommand.Create().Parse([
            "--model", _modelDir, "--votes", "4", "--limit", "3", "--data", "DeepScaleR", "--data-dir", RepoPaths.Data(),
            "--out", _out, "--max-new-tokens", "6", "--seed", "5", .. extra]).Invoke();

    private List<(string Id, string Response)> ReadSamples() =>
        [.. File.ReadAllLines(SamplesPath).Select(l =>
        {
            using var d = JsonDocument.Parse(l);
            return (d.RootElement.GetProperty("id").GetString()!, d.RootElement.GetProperty("response").GetString()!);
        })];

    /// <summary>The first rows of the shipped DeepScaleR training data, read straight from the file.</summary>
    private static List<(string Prompt, string Answer)> FirstDeepScaleRRows(int count)
    {
        using var rows = JsonDocument.Parse(File.ReadAllText(RepoPaths.Data("DeepScaleR_Difficulty_Level_1", "train.json")));
        return [.. rows.RootElement.EnumerateArray().Take(count).Select(r => (r.GetProperty("prompt").GetString()!, r.GetProperty("answer").GetString()!))];
    }

    private static JsonElement[] ReadRows(string path)
    {
        using var d = JsonDocument.Parse(File.ReadAllText(path));
        return [.. d.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void SamplesVotesPerProblemLabelsFromThemAndResumesWithoutResampling()
    {
        Assert.Equal(0, Label());

        var samples = ReadSamples();
        Assert.Equal(12, samples.Count);
        var ids = samples.Select(s => s.Id).Distinct().ToList();
        Assert.Equal(["level1/0", "level1/1", "level1/2"], ids);  // the first rows of level 1 (file ids 0, 1, 2)
        Assert.All(samples.GroupBy(s => s.Id), g => Assert.Equal(4, g.Count()));
        Assert.Contains(samples, s => s.Response.Length > 0);  // the model really generated text

        // The labeled set and the report exist; the set's rows are the dataset's first rows with their ids.
        var labeled = Path.Combine(_out, SetName);
        Assert.True(File.Exists(Path.Combine(labeled, "test.json")));
        Assert.True(File.Exists(Path.Combine(labeled, "train.json")));
        Assert.True(File.Exists(Path.Combine(_out, SetName + "_incorrect", "test.json")));
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, SetName + "_report.json"))))
        {
            Assert.Equal(3, report.RootElement.GetProperty("problems").GetInt32());
            Assert.Equal(12, report.RootElement.GetProperty("samples").GetInt32());
            Assert.Equal(0, report.RootElement.GetProperty("without_samples").GetInt32());
        }
        var voted = File.ReadAllLines(Path.Combine(_out, SetName + "_votes.jsonl"));
        Assert.Equal(ids, voted.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!));
        var first = FirstDeepScaleRRows(3);
        Assert.Equal(first.Select(r => r.Answer), voted.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("ground_truth").GetString()!));

        // Resume: replace every response with a known one. A run that resampled would overwrite them; a resumed
        // run keeps them and labels every problem 42 (all wrong against the ground truth).
        var original = File.ReadAllLines(SamplesPath);
        var planted = samples.Select(s => JsonSerializer.Serialize(new { id = s.Id, response = "so \\boxed{42}" })).ToArray();
        File.WriteAllText(SamplesPath, string.Concat(planted.Select(l => l + "\n")));
        Assert.Equal(0, Label());
        Assert.Equal(planted, File.ReadAllLines(SamplesPath));
        var rows = ReadRows(Path.Combine(labeled, "test.json"));
        Assert.Equal(3, rows.Length);
        Assert.All(rows, r => Assert.Equal("42", r.GetProperty("answer").GetString()));
        Assert.Equal(first.Select(r => r.Prompt), rows.Select(r => r.GetProperty("prompt").GetString()));
        Assert.Equal(3, ReadRows(Path.Combine(_out, SetName + "_incorrect", "test.json")).Length);

        // An interruption inside the second problem (its first line whole, the next torn): the resumed run keeps the
        // first problem, redoes the rest, and draws exactly the samples the uninterrupted run drew (same batch seed).
        File.WriteAllText(SamplesPath, planted[0] + "\n" + planted[1] + "\n" + planted[2] + "\n" + planted[3] + "\n" + planted[4] + "\n" + planted[5][..7]);
        Assert.Equal(0, Label());
        Assert.Equal([.. planted.Take(4), .. original.Skip(4)], File.ReadAllLines(SamplesPath));
    }

    [Fact]
    public void ResumingWithOtherSamplingSettingsFailsAndKeepsTheSamples()
    {
        Assert.Equal(0, Label());
        var before = File.ReadAllText(SamplesPath);
        Assert.Equal(2, Label("--temperature", "0.5"));
        Assert.Equal(before, File.ReadAllText(SamplesPath));
    }

    [Fact]
    public void SamplesAndModelTogetherOrNeitherIsAnError()
    {
        Assert.Equal(2, Label("--samples", Path.Combine(_root, "s.jsonl")));
        Assert.Equal(2, LabelCommand.Create().Parse(["--data", "DeepScaleR", "--data-dir", RepoPaths.Data(), "--out", _out]).Invoke());
        Assert.False(Directory.Exists(_out));
    }

    [Fact]
    public void The_presets_refuse_the_test_split_and_train_on_the_split_label_makes()
    {
        // The shipped majority-vote and incorrect-label folders hold only a test split: one line naming it and the fix.
        foreach (var preset in new[] { "majority_vote", "incorrect", "majority_vote_1.5b", "incorrect_1.5b" })
        {
            var runDir = Path.Combine(_root, preset);
            var refusal = Assert.Throws<InvalidDataException>(() => new GrpoTrainer(ConfigLoader.Load(preset), new TrainOptions(runDir)).Run());
            Assert.StartsWith($"data.source {ConfigLoader.Load(preset).Data.Source}: no train split", refusal.Message);
            Assert.Contains("`rlvr label --data DeepScaleR --model DIR --votes 64 --name DeepScaleR_mv_labeled_", refusal.Message);
            Assert.Contains("--set data.source=labels/", refusal.Message);
            Assert.DoesNotContain('\n', refusal.Message);
            Assert.False(Directory.Exists(runDir), "the refusal came after the run folder was made");
        }

        // rlvr label --model on the tiny model: 8 problems, the first 2 to test.json, the labeled rest to train.json.
        Assert.Equal(0, LabelCommand.Create().Parse([
            "--model", _modelDir, "--votes", "4", "--limit", "8", "--test-rows", "2", "--data", "DeepScaleR", "--data-dir", RepoPaths.Data(),
            "--out", _out, "--max-new-tokens", "8", "--seed", "5"]).Invoke());
        var labeled = Path.Combine(_out, SetName);
        var train = ReadRows(Path.Combine(labeled, "train.json"));
        Assert.NotEmpty(train);
        var trainRows = train.Select(r => (r.GetProperty("prompt").GetString()!, r.GetProperty("answer").GetString()!)).ToHashSet();

        // ... and the majority_vote preset trains on it with one --set (shrunk to a tiny step).
        var config = ConfigLoader.Load("majority_vote", [$"data.source={labeled}", "run.steps=1", "run.device=cpu", "run.threads=1",
            "rollout.prompts_per_step=2", "rollout.samples_per_prompt=2", "rollout.max_new_tokens=4", "grpo.train_batch_size=4",
            "grpo.micro_batch_size=2", "eval.every=0", "telemetry.tensorboard=false", "telemetry.samples_every=1"]);
        var dir = Path.Combine(_root, "mv-run");
        var log = new List<string>();
        var result = new GrpoTrainer(config, new TrainOptions(dir, ModelOverride: _modelDir, Log: log.Add)).Run();
        Assert.True(result.Completed, result.Message);
        Assert.Contains(log, l => l.StartsWith($"data: {train.Length} training problems from {labeled}", StringComparison.Ordinal));
        var truth = FirstDeepScaleRRows(8).ToDictionary(r => r.Prompt, r => r.Answer);
        var samples = File.ReadAllLines(Path.Combine(dir, "samples.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.NotEmpty(samples);
        foreach (var sample in samples)
        {
            // rewarded against the majority label of train.json; accuracy against DeepScaleR's true answer
            var prompt = sample.GetProperty("prompt").GetString()!;
            Assert.Contains((prompt, sample.GetProperty("label").GetString()!), trainRows);
            Assert.Equal(truth[prompt], sample.GetProperty("true_label").GetString());
        }
    }
}
