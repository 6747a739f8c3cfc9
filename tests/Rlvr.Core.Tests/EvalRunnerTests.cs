using System.Text.Json;
using System.Text.RegularExpressions;
using Rlvr.Core.Data;
using Rlvr.Core.Evaluation;
using Rlvr.Core.Templates;
using Rlvr.Grading;

namespace Rlvr.Core.Tests;

/// <summary>The evaluation loop with a scripted generator: sample counts, files, journal and resume.</summary>
public sealed class EvalRunnerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rlvr-eval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static List<Problem> Problems(int count) =>
        Enumerable.Range(0, count).Select(i => new Problem($"id{i}", $"What is {i * 7}?", (i * 7).ToString(), "test", DatasetSplit.Test)).ToList();

    private EvalSettings Settings(int shards = 2, int batch = 8) =>
        new("tiny", _dir, "verify", PromptTemplates.Create("qwen-math"), MaxNewTokens: 16, Shards: shards, BatchSequences: batch, Seed: 7);

    [Fact]
    public void Sets_named_with_at_k_take_k_samples_greedy_for_one_and_at_0_6_for_more()
    {
        // upstream's in-training task names: AMC@1 greedy, AMC@8 at 0.6; a bare name keeps the paper's plan
        var work = EvalSession.Plan(new EvalRequest(["AMC@1", "AMC@8", "MATH-500", "AIME-2024"], Limit: 2, DataDir: Rlvr.Tests.RepoPaths.Data()));
        Assert.Equal(["AMC@1", "AMC@8", "MATH-500", "AIME-2024"], work.Select(w => w.Dataset));
        Assert.Equal([new SamplingPlan(1, 0.0), new SamplingPlan(8, 0.6), new SamplingPlan(1, 0.0), new SamplingPlan(8, 0.6)], work.Select(w => w.Plan));
        Assert.Equal(work[0].Problems, work[1].Problems);
        Assert.Throws<ArgumentException>(() => EvalSession.Plan(new EvalRequest(["AMC@0"], DataDir: Rlvr.Tests.RepoPaths.Data())));
    }

    [Fact]
    public void The_session_also_writes_each_dataset_in_upstreams_eval_checkpoint_layout()
    {
        var work = new[] { new EvalWork("AMC", Problems(5), EvalDefaults.For("AMC")), new EvalWork("MATH-500", Problems(3), EvalDefaults.For("MATH-500")) };
        var (_, results) = EvalSession.Run(work, Settings() with { ModelPath = "/models/tiny" }, new ScriptedGenerator(), new BoxedExactGrader());

        var amc = Rlvr.Tests.UpstreamEvalReader.Read(Path.Combine(_dir, "upstream", "tiny_AMC.json"));
        Assert.Equal(("AMC", "/models/tiny", 0.6, 8, 2, "cpu"), (amc.Dataset, amc.Model, amc.Temperature, amc.Rollouts, amc.Shards, amc.GpuType));
        Assert.Equal([0, 1, 2, 3, 4], amc.Metadata.Select(m => m.Index));
        Assert.Equal(Problems(5).Select(p => p.Label), amc.Metadata.Select(m => m.Label));
        Assert.All(amc.Metadata, m => Assert.StartsWith("<|im_start|>system\nPlease reason step by step", m.Prompt));
        Assert.Equal(results[0].Problems.Select(p => p.Samples.Select(s => s.Response)), amc.Metadata.Select(m => m.Outputs));
        Assert.False(amc.IncludeStop);
        Assert.Null(amc.StopStrings);
        // The file's avg@8 and pass@8 are those of its own outputs, graded by the reader with the test grader's rule.
        var (avg, pass) = amc.Recompute((output, label) => output.EndsWith($"\\boxed{{{label}}}", StringComparison.Ordinal));
        Assert.InRange(avg, 0.1, 0.9);   // the scripted answers are a mix, so the check has teeth
        Assert.Equal(avg, amc.AvgAtK, 12);
        Assert.Equal(pass, amc.PassAtK, 12);
        var math = Rlvr.Tests.UpstreamEvalReader.Read(Path.Combine(_dir, "upstream", "tiny_MATH-500.json"));
        Assert.Equal((1, 0.0, 3), (math.Rollouts, math.Temperature, math.Metadata.Count));
        Assert.Equal(math.AvgAtK, math.PassAtK);   // one sample: avg@1 = pass@1
    }

    [Fact]
    public void RunWritesEveryResponseWithVerdictCodeFlagAndTokenCountsAndPaperDefaults()
    {
        var generator = new ScriptedGenerator();
        var runner = new EvalRunner(generator, new BoxedExactGrader(), Settings());
        var result = runner.Run("AMC", Problems(5), EvalDefaults.For("AMC"));

        Assert.All(generator.Calls, c => Assert.Equal(0.6, c.Settings.Temperature));
        Assert.All(generator.Calls, c => Assert.All(c.Batch, r => Assert.Equal(8, r.Samples)));
        Assert.All(generator.Calls, c => Assert.StartsWith("<|im_start|>system\nPlease reason step by step", c.Batch[0].Prompt));
        // 5 problems, 2 shards [0,2) [2,5), one problem per call (8 sequences / 8 samples).
        Assert.Equal(5, generator.Calls.Count);

        var path = Path.Combine(_dir, "tiny_AMC.json");
        Assert.True(File.Exists(path));
        Assert.False(File.Exists(Path.Combine(_dir, "tiny_AMC.partial.jsonl")));
        var read = EvalJson.ReadResult(path);
        Assert.Equal(5, read.Problems.Count);
        Assert.All(read.Problems, p => Assert.Equal(8, p.Samples.Count));
        var sample = read.Problems[3].Samples[2];
        Assert.Equal(sample.Response.Contains("python"), sample.HasCode);
        Assert.Equal(sample.Response.EndsWith("\\boxed{21}"), sample.Correct);
        Assert.True(sample.CompletionTokens >= 3);
        // The metrics in the file are those of its own responses, counted here directly.
        var all = read.Problems.SelectMany(p => p.Samples).ToList();
        Assert.Equal(all.Count(s => s.Correct) / 40.0, read.Metrics.AvgAtK, 12);
        Assert.Equal(read.Problems.Count(p => p.Samples.Any(s => s.Correct)) / 5.0, read.Metrics.PassAtK[8], 12);
        Assert.Equal(all.Count(s => s.HasCode) / 40.0, read.Metrics.CodeFrequency, 12);
        Assert.Equal(JsonSerializer.Serialize(result, EvalJson.Options), File.ReadAllText(path));
        // The raw JSON uses the documented snake_case names.
        var json = File.ReadAllText(path);
        Assert.Contains("\"avg_at_k\"", json);
        Assert.Contains("\"has_code\"", json);
        Assert.Contains("\"completion_tokens\"", json);
        Assert.Contains("\"finish\": \"length\"", json);
    }

    [Fact]
    public void Math500IsOneGreedySample()
    {
        var generator = new ScriptedGenerator();
        new EvalRunner(generator, new BoxedExactGrader(), Settings(shards: 1, batch: 64)).Run("MATH-500", Problems(3), EvalDefaults.For("MATH-500"));
        var call = Assert.Single(generator.Calls);
        Assert.Equal(0.0, call.Settings.Temperature);
        Assert.Equal(3, call.Batch.Count);
        Assert.All(call.Batch, r => Assert.Equal(1, r.Samples));
        Assert.Equal(16, call.Settings.MaxNewTokens);
    }

    [Fact]
    public void InterruptedRunResumesWithoutRepeatingOrLosingProblems()
    {
        var problems = Problems(9);
        var plan = new SamplingPlan(2, 0.6);

        // Reference: an uninterrupted run in another folder.
        var cleanDir = Path.Combine(_dir, "clean");
        var clean = new EvalRunner(new ScriptedGenerator(), new BoxedExactGrader(), Settings(shards: 2, batch: 4) with { OutputDir = cleanDir })
            .Run("AIME-2024", problems, plan);

        // Crash on the fourth call: three batches of two problems were journaled.
        var crashing = new ScriptedGenerator(failAfterCalls: 3);
        Assert.Throws<IOException>(() => new EvalRunner(crashing, new BoxedExactGrader(), Settings(shards: 2, batch: 4)).Run("AIME-2024", problems, plan));
        Assert.False(File.Exists(Path.Combine(_dir, "tiny_AIME-2024.json")));  // no final file yet
        var journal = File.ReadAllLines(Path.Combine(_dir, "tiny_AIME-2024.partial.jsonl"));
        Assert.Equal(1 + 6, journal.Length);  // header + 6 problems
        var firstPrompts = crashing.Calls.SelectMany(c => c.Batch.Select(r => r.Prompt)).ToHashSet();

        var resumedGenerator = new ScriptedGenerator();
        var resumed = new EvalRunner(resumedGenerator, new BoxedExactGrader(), Settings(shards: 2, batch: 4)).Run("AIME-2024", problems, plan);
        var secondPrompts = resumedGenerator.Calls.SelectMany(c => c.Batch.Select(r => r.Prompt)).ToList();
        Assert.Equal(3, secondPrompts.Count);                      // only the 3 unfinished problems
        Assert.DoesNotContain(secondPrompts, firstPrompts.Contains); // none generated twice
        Assert.Equal(problems.Select(p => p.Id), resumed.Problems.Select(p => p.Id));  // none lost, in order
        Assert.Equal(JsonSerializer.Serialize(clean.Problems, EvalJson.Options), JsonSerializer.Serialize(resumed.Problems, EvalJson.Options));
        Assert.False(File.Exists(Path.Combine(_dir, "tiny_AIME-2024.partial.jsonl")));

        // A third run finds the finished file and generates nothing; a stale journal (crash after the
        // result was written) is removed.
        File.WriteAllText(Path.Combine(_dir, "tiny_AIME-2024.partial.jsonl"), journal[0] + "\n");
        var idle = new ScriptedGenerator();
        new EvalRunner(idle, new BoxedExactGrader(), Settings(shards: 2, batch: 4)).Run("AIME-2024", problems, plan);
        Assert.Empty(idle.Calls);
        Assert.False(File.Exists(Path.Combine(_dir, "tiny_AIME-2024.partial.jsonl")));
    }

    [Fact]
    public void TornLastJournalLineIsDroppedAndItsProblemRedone()
    {
        var problems = Problems(4);
        var plan = new SamplingPlan(1, 0.0);
        Assert.Throws<IOException>(() => new EvalRunner(new ScriptedGenerator(failAfterCalls: 1), new BoxedExactGrader(), Settings(shards: 1, batch: 2))
            .Run("MATH-500", problems, plan));
        var journalPath = Path.Combine(_dir, "tiny_MATH-500.partial.jsonl");
        var lines = File.ReadAllLines(journalPath);
        Assert.Equal(3, lines.Length);
        // Simulate a crash in the middle of writing the second problem's line.
        File.WriteAllText(journalPath, lines[0] + "\n" + lines[1] + "\n" + lines[2][..20]);

        var generator = new ScriptedGenerator();
        var result = new EvalRunner(generator, new BoxedExactGrader(), Settings(shards: 1, batch: 2)).Run("MATH-500", problems, plan);
        Assert.Equal(4, result.Problems.Count);
        Assert.Equal(2, generator.Calls.Count);  // the torn batch again, then the last one
        Assert.Equal(["id0", "id1", "id2", "id3"], result.Problems.Select(p => p.Id));
    }

    [Fact]
    public void JournalOfOtherSettingsIsRefusedWithAClearMessage()
    {
        var problems = Problems(4);
        Assert.Throws<IOException>(() => new EvalRunner(new ScriptedGenerator(failAfterCalls: 1), new BoxedExactGrader(), Settings(shards: 1, batch: 2))
            .Run("AMC", problems, new SamplingPlan(1, 0.0)));
        var e = Assert.Throws<InvalidOperationException>(() => new EvalRunner(new ScriptedGenerator(), new BoxedExactGrader(), Settings(shards: 1, batch: 2))
            .Run("AMC", problems, new SamplingPlan(4, 0.6)));
        Assert.Contains("tiny_AMC.partial.jsonl", e.Message);
        Assert.Contains("different settings", e.Message);
    }

    [Fact]
    public void SummaryAveragesDatasetsUnweighted()
    {
        var runner = new EvalRunner(new ScriptedGenerator(), new BoxedExactGrader(), Settings());
        var a = runner.Run("MATH-500", Problems(4), EvalDefaults.For("MATH-500"));
        var b = runner.Run("AMC", Problems(3), EvalDefaults.For("AMC"));
        var summary = EvalSummary.From([a, b]);
        // The two datasets must score differently, or a problem- or sample-weighted mean would pass too
        // (with 6 MATH-500 problems both scored 0.5 and this test could not tell them apart).
        Assert.NotEqual(a.Metrics.AvgAtK, b.Metrics.AvgAtK, 6);
        Assert.NotEqual(a.Metrics.PassAtK[1], b.Metrics.PassAtK[8], 6);
        Assert.Equal((a.Metrics.AvgAtK + b.Metrics.AvgAtK) / 2, summary.OverallAvgAtK, 12);
        Assert.Equal((a.Metrics.PassAtK[1] + b.Metrics.PassAtK[8]) / 2, summary.OverallPassAtK, 12);
        var path = Path.Combine(_dir, "summary.json");
        summary.Write(path);
        var back = EvalSummary.Read(path);
        Assert.Equal(["MATH-500", "AMC"], back.Datasets.Select(d => d.Dataset));
        Assert.Equal("tiny_AMC.json", back.Datasets[1].File);
    }

    [Fact]
    public void ForcedResponsePrefixGoesAfterTheTemplateAndProblemAffixesInsideIt()
    {
        var generator = new ScriptedGenerator();
        var settings = Settings(shards: 1) with { ResponsePrefix = "Let's solve this using Python.", ProblemSuffix = " Think." };
        new EvalRunner(generator, new BoxedExactGrader(), settings).Run("MATH-500", Problems(1), new SamplingPlan(1, 0));
        var prompt = generator.Calls[0].Batch[0].Prompt;
        Assert.EndsWith("What is 0? Think.<|im_end|>\n<|im_start|>assistant\nLet's solve this using Python.", prompt);
    }

    [Fact]
    public void SecondEvaluationIntoTheSameJournalIsRefusedWhileTheFirstRuns()
    {
        var path = Path.Combine(_dir, "tiny_AMC.partial.jsonl");
        var run = new EvalRunInfo("tiny", "AMC", "verify", "raw", 1, 0, 1, 16, 1, 0, "", "", "", []);
        using var first = EvalJournal.Open(path, run);
        var e = Assert.Throws<InvalidOperationException>(() => EvalJournal.Open(path, run));
        Assert.Contains("in use by another evaluation", e.Message);
    }

    [Theory]
    [InlineData(GraderMode.Paper)]
    [InlineData(GraderMode.Verify)]
    public void RealGradersJudgeTheResponsesAgainstAmcStyleFloatLabels(GraderMode mode)
    {
        // AMC labels are floats ("14.0"); the scripted responses box the integer ("\boxed{14}") or "wrong".
        var problems = Problems(6).Select(p => p with { Label = p.Label + ".0" }).ToList();
        var result = new EvalRunner(new ScriptedGenerator(), Graders.Create(mode, GradeOptions.Default with { TimeLimit = TimeSpan.FromSeconds(10) }), Settings()).Run("AMC", problems, new SamplingPlan(4, 0.6));
        var samples = result.Problems.SelectMany(p => p.Samples).ToList();
        Assert.Contains(samples, s => s.Correct);
        Assert.Contains(samples, s => !s.Correct);
        Assert.All(samples, s => Assert.Equal(!s.Response.Contains("wrong"), s.Correct));
    }
}
