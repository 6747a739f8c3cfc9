using Rlvr.Core.Evaluation;

namespace Rlvr.Core.Tests;

/// <summary>pass@k and avg@k against values worked out by hand (and exact fractions from Python's math.comb).</summary>
public sealed class EvalMetricsTests
{
    [Theory]
    // 1 − C(7,5)/C(10,5) = 1 − 21/252 = 11/12
    [InlineData(10, 3, 5, 11.0 / 12)]
    // 1 − C(63,8)/C(64,8) = 1 − 56/64 = 1/8
    [InlineData(64, 1, 8, 0.125)]
    // 1 − C(6,4)/C(8,4) = 1 − 15/70 = 11/14
    [InlineData(8, 2, 4, 11.0 / 14)]
    // k = 1: c/n
    [InlineData(8, 3, 1, 3.0 / 8)]
    // no correct sample: 0; n − c < k: 1
    [InlineData(5, 0, 3, 0.0)]
    [InlineData(5, 3, 3, 1.0)]
    [InlineData(8, 1, 8, 1.0)]
    // Large n where C(n, k) overflows a double: exact value 1 − C(1995,1000)/C(2000,1000) = 0.96890621074182...
    [InlineData(2000, 5, 1000, 0.9689062107418256)]
    // 1 − C(180,100)/C(200,100) = 0.99999966783129...
    [InlineData(200, 20, 100, 0.9999996678312922)]
    public void PassAtKMatchesTheEstimatorsKnownValues(int n, int c, int k, double expected)
    {
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);
    }

    [Fact]
    public void PassAtKRejectsImpossibleArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(4, 5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(4, 1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(0, 0, 1));
    }

    [Fact]
    public void ReportedKsArePowersOfTwoUpToN()
    {
        Assert.Equal([1], PassAtK.ReportedKs(1));
        Assert.Equal([1, 2, 4, 8], PassAtK.ReportedKs(8));
        Assert.Equal([1, 2, 4, 6], PassAtK.ReportedKs(6));
    }

    private static SampleOutcome S(bool correct, bool code = false, int tokens = 10, FinishReason finish = FinishReason.Stop) =>
        new(code ? "python" : "text", null, correct, code, 5, tokens, finish);

    [Fact]
    public void DatasetMetricsEqualAHandComputation()
    {
        // Three problems, three samples each: A has 1 correct, B none, C all three.
        var problems = new[]
        {
            new ProblemOutcome(0, "a", "pa", "1", [S(true, code: true), S(false, code: true, tokens: 30, finish: FinishReason.Length), S(false)]),
            new ProblemOutcome(1, "b", "pb", "2", [S(false), S(false), S(false, code: true)]),
            new ProblemOutcome(2, "c", "pc", "3", [S(true), S(true, code: true), S(true, tokens: 20)]),
        };
        var m = EvalMetricsCalculator.Compute(problems);
        Assert.Equal(3, m.Problems);
        Assert.Equal(3, m.SamplesPerProblem);
        Assert.Equal(4.0 / 9, m.AvgAtK, 12);                   // 4 correct of 9
        Assert.Equal(new[] { 1, 2, 3 }, m.PassAtK.Keys.Order());
        Assert.Equal(4.0 / 9, m.PassAtK[1], 12);               // mean(1/3, 0, 1)
        Assert.Equal(5.0 / 9, m.PassAtK[2], 12);               // mean(1 − C(2,2)/C(3,2) = 2/3, 0, 1)
        Assert.Equal(2.0 / 3, m.PassAtK[3], 12);               // mean(1, 0, 1)
        Assert.Equal(4.0 / 9, m.CodeFrequency, 12);            // 4 of 9 samples say python
        Assert.Equal(2.0 / 4, m.AccuracyWithCode!.Value, 12);  // code samples: A1 ✓, A2 ✗, B3 ✗, C2 ✓
        Assert.Equal(2.0 / 5, m.AccuracyWithoutCode!.Value, 12);
        Assert.Equal((10 + 30 + 10 + 10 + 10 + 10 + 10 + 10 + 20) / 9.0, m.MeanCompletionTokens, 12);
        Assert.Equal(1.0 / 9, m.TruncatedFraction, 12);
    }

    [Fact]
    public void UnevenSampleCountsAreRejected()
    {
        var problems = new[]
        {
            new ProblemOutcome(0, "a", "pa", "1", [S(true)]),
            new ProblemOutcome(1, "b", "pb", "2", [S(true), S(false)]),
        };
        Assert.Contains("problem b", Assert.Throws<ArgumentException>(() => EvalMetricsCalculator.Compute(problems)).Message);
    }

    [Fact]
    public void CodeReasoningIsTheCaseInsensitivePythonSubstring()
    {
        Assert.True(CodeReasoning.HasCode("```python\nprint(1)\n```"));
        Assert.True(CodeReasoning.HasCode("Let's use PYTHON here"));
        Assert.False(CodeReasoning.HasCode("```py\nprint(1)\n```"));
        Assert.False(CodeReasoning.HasCode("The answer is \\boxed{2}"));
    }

    [Theory]
    [InlineData("MATH-500", null, null, 1, 0.0)]
    [InlineData("AIME-2024", null, null, 8, 0.6)]
    [InlineData("AIME-2025", null, null, 8, 0.6)]
    [InlineData("AMC", null, null, 8, 0.6)]
    [InlineData("MATH-500", 4, null, 4, 0.6)]
    [InlineData("AMC", 1, null, 1, 0.0)]
    [InlineData("AMC", 16, 1.0, 16, 1.0)]
    public void PaperDefaultsAndOverrides(string dataset, int? samples, double? temperature, int n, double t)
    {
        Assert.Equal(new SamplingPlan(n, t), EvalDefaults.For(dataset, samples, temperature));
    }

    [Fact]
    public void BatchPlannerCutsShardsAndKeepsEachProblemsSamplesTogether()
    {
        // 10 problems, 8 samples, 3 shards, 16 sequences per call → shards [0,3) [3,6) [6,10), 2 problems per batch.
        var batches = BatchPlanner.Plan(10, 8, 3, 16).ToList();
        Assert.Equal(
            new[] { "0:0,1", "0:2", "1:3,4", "1:5", "2:6,7", "2:8,9" },
            batches.Select(b => $"{b.Shard}:{string.Join(",", b.Indices)}"));
        // A batch smaller than k still holds one problem.
        Assert.Equal(10, BatchPlanner.Plan(10, 8, 1, 4).Count());
        // Batch size 0: one call per shard (upstream's --shards), 10 problems in 3 shards.
        Assert.Equal(new[] { 3, 3, 4 }, BatchPlanner.Plan(10, 8, 3, 0).Select(b => b.Indices.Count));
        // More shards than problems: one problem per shard.
        Assert.Equal(2, BatchPlanner.Plan(2, 1, 4, 64).Count());
        // Seeds differ by batch and dataset and repeat for the same inputs.
        Assert.NotEqual(BatchPlanner.Seed(1, "AMC", batches[0]), BatchPlanner.Seed(1, "AMC", batches[1]));
        Assert.NotEqual(BatchPlanner.Seed(1, "AMC", batches[0]), BatchPlanner.Seed(1, "AIME-2024", batches[0]));
        Assert.Equal(BatchPlanner.Seed(1, "AMC", batches[0]), BatchPlanner.Seed(1, "AMC", batches[0]));
    }
}
