using System.Text.Json;
using Rlvr.Core.Evaluation;
using Rlvr.Core.Templates;
using Rlvr.Grading;
using Rlvr.Tests;
using Rlvr.Torch.Evaluation;
using Rlvr.Torch.Models;

namespace Rlvr.Torch.Tests;

/// <summary>
/// `rlvr eval`'s pipeline on a real (tiny) model through text: the qwen2-tied fixture weights with the
/// tiny ChatML tokenizer (ids below the fixture's vocab of 384), the shipped datasets, the paper grader.
/// </summary>
public sealed class EvalEndToEndTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly string _modelDir;

    public EvalEndToEndTests()
    {
        _modelDir = TinyModelFolder.Create(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // Verdicts are compared across runs; the default 250 ms limit could turn one into a timeout on a loaded machine.
    private static readonly GradeOptions Patient = GradeOptions.Default with { TimeLimit = TimeSpan.FromSeconds(10) };

    private EvalSettings Settings(string output, int shards = 4, int batch = 64) =>
        new(Path.GetFileName(_modelDir), output, "paper", PromptTemplates.Create("raw"), MaxNewTokens: 4, Shards: shards, BatchSequences: batch, Seed: 3);

    /// <summary>Stands in for a crash: passes calls through to the real generator, then throws.</summary>
    private sealed class CrashingGenerator(ITextGenerator inner, int calls) : ITextGenerator
    {
        public int Calls { get; private set; }

        public IReadOnlyList<IReadOnlyList<GeneratedText>> Generate(IReadOnlyList<GenerationRequest> batch, SamplingSettings settings)
        {
            if (Calls++ >= calls) throw new IOException("simulated crash");
            return inner.Generate(batch, settings);
        }
    }

    [Fact]
    public void FourPaperDatasetsRunWithThePaperSampleCountsAndFileLayout()
    {
        using var model = EvalModel.Load(_modelDir, Placement.Cpu);
        Assert.Equal([2, 378], model.EosTokenIds.Order());  // config.json's 2 and tokenizer_config's <|im_end|>
        var output = Path.Combine(_root, "out");
        var (summary, results) = EvalSession.Run(new EvalRequest(EvalDefaults.PaperDatasets, Limit: 2, DataDir: RepoPaths.Data()),
            Settings(output), model.Generator(), Graders.Create(GraderMode.Paper, Patient));

        Assert.Equal(
            ["summary.json", "tiny-qwen2_AIME-2024.json", "tiny-qwen2_AIME-2025.json", "tiny-qwen2_AMC.json", "tiny-qwen2_MATH-500.json"],
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var expected = new Dictionary<string, (int K, double T)> { ["MATH-500"] = (1, 0.0), ["AIME-2024"] = (8, 0.6), ["AIME-2025"] = (8, 0.6), ["AMC"] = (8, 0.6) };
        foreach (var (dataset, (k, t)) in expected)
        {
            var r = EvalJson.ReadResult(Path.Combine(output, $"tiny-qwen2_{dataset}.json"));
            Assert.Equal(2, r.Problems.Count);
            Assert.All(r.Problems, p => Assert.Equal(k, p.Samples.Count));
            Assert.Equal(t, r.Run.Temperature);
            Assert.All(r.Problems.SelectMany(p => p.Samples), s =>
            {
                Assert.InRange(s.CompletionTokens, 1, 4);
                Assert.True(s.PromptTokens > 10);
            });
        }
        // The dataset rows are the shipped files' first rows.
        var math = EvalJson.ReadResult(Path.Combine(output, "tiny-qwen2_MATH-500.json"));
        using var rows = JsonDocument.Parse(File.ReadAllText(RepoPaths.Data("MATH-TTT", "test.json")));
        Assert.Equal(rows.RootElement[1].GetProperty("answer").GetString(), math.Problems[1].Label);
        Assert.Equal(["MATH-500", "AIME-2024", "AIME-2025", "AMC"], summary.Datasets.Select(d => d.Dataset));
        Assert.Equal(4, results.Count);
    }

    [Fact]
    public void GreedyEvaluationRepeatsAndAResumedRunEqualsAnUninterruptedOne()
    {
        using var model = EvalModel.Load(_modelDir, Placement.Cpu);
        var problems = Rlvr.Core.Data.DatasetLoader.Load("AIME-2024", new(DataDir: RepoPaths.Data())).Problems.Take(3).ToList();
        var plan = new SamplingPlan(2, 0.6);

        var clean = new EvalRunner(model.Generator(), Graders.Create(GraderMode.Paper, Patient), Settings(Path.Combine(_root, "clean"), shards: 1, batch: 2))
            .Run("AIME-2024", problems, plan);

        var output = Path.Combine(_root, "resumed");
        var crashing = new CrashingGenerator(model.Generator(), calls: 1);
        Assert.Throws<IOException>(() => new EvalRunner(crashing, Graders.Create(GraderMode.Paper, Patient), Settings(output, shards: 1, batch: 2)).Run("AIME-2024", problems, plan));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "tiny-qwen2_AIME-2024.partial.jsonl")).Length);  // header + problem 0

        var counting = new CrashingGenerator(model.Generator(), calls: int.MaxValue);
        var resumed = new EvalRunner(counting, Graders.Create(GraderMode.Paper, Patient), Settings(output, shards: 1, batch: 2)).Run("AIME-2024", problems, plan);
        Assert.Equal(2, counting.Calls);  // problems 1 and 2 only
        Assert.Equal(JsonSerializer.Serialize(clean.Problems, EvalJson.Options), JsonSerializer.Serialize(resumed.Problems, EvalJson.Options));
    }

    [Fact]
    public void VoteSamplingWritesASamplesFileThatRlvrLabelReads()
    {
        using var model = EvalModel.Load(_modelDir, Placement.Cpu);
        var problems = Rlvr.Core.Data.DatasetLoader.Load("AMC", new(DataDir: RepoPaths.Data())).Problems.Take(3).ToList();
        var path = Path.Combine(_root, "votes.jsonl");
        VoteSampler.Write(problems, model.Generator(), new VoteSamplingSettings(Votes: 4, MaxNewTokens: 3, BatchSequences: 8), path);
        var samples = Rlvr.Core.Voting.SampleReader.Read(path);  // the reader of `rlvr label --samples`
        Assert.Equal(12, samples.Count);
        Assert.Equal(problems.SelectMany(p => Enumerable.Repeat(p.Id, 4)), samples.Select(s => s.Id));
    }

    [Fact]
    public void GenerationStopsAtAStopStringAndKeepsIt()
    {
        using var model = EvalModel.Load(_modelDir, Placement.Cpu);
        var generator = model.Generator();
        var request = new GenerationRequest("What is 1+1?", 1);
        var free = generator.Generate([request], new SamplingSettings(0, 1, 24, [], 0))[0][0];
        // Pick a stop string from the middle of the unconstrained greedy text (skipping lossy bytes).
        var at = Enumerable.Range(4, Math.Max(0, free.Text.Length - 8)).First(i => !free.Text.Substring(i, 3).Contains('\uFFFD'));
        var stop = free.Text.Substring(at, 3);
        var stopped = generator.Generate([request], new SamplingSettings(0, 1, 24, [stop], 0))[0][0];
        Assert.Equal(free.Text[..(free.Text.IndexOf(stop, StringComparison.Ordinal) + stop.Length)], stopped.Text);
        Assert.Equal(Rlvr.Core.Evaluation.FinishReason.Stop, stopped.Finish);
        Assert.True(stopped.CompletionTokens < free.CompletionTokens);
    }

    [Fact]
    public void StopStringEndsTheTextAfterIt()
    {
        Assert.Equal("a </answer>", ModelTextGenerator.CutAfterStop("a </answer>\nmore", ["</answer>"]));
        Assert.Equal("x", ModelTextGenerator.CutAfterStop("x", ["</answer>"]));
        Assert.Equal("a b", ModelTextGenerator.CutAfterStop("a b c b", ["zz", "b"]));
    }
}
