using Rlvr.Grading.Verify;
using Xunit.Abstractions;

namespace Rlvr.Grading.Tests;

/// <summary>The verify grader against the 314 public grader vectors (expected = what each source suite asserts).</summary>
public class VerifyVectorTests(ITestOutputHelper output)
{
    [Fact]
    public void AgreesWithExpectedOnAtLeast97Percent()
    {
        var cases = GradingCase.Load();
        Assert.Equal(314, cases.Count);
        var disagreements = new List<string>();
        foreach (var c in cases)
        {
            var result = new VerifyGrader(c.Options()).Grade(c.Prediction, c.Gold);
            if (result.Correct != c.Expected)
                disagreements.Add($"{c.Id} expected={c.Expected} extracted={Short(result.Extracted)} timedOut={result.TimedOut}");
        }
        var rate = 1.0 - disagreements.Count / (double)cases.Count;
        output.WriteLine($"verify agrees with expected on {cases.Count - disagreements.Count}/{cases.Count} = {rate:P1}");
        foreach (var d in disagreements) output.WriteLine("  disagrees: " + d);
        Assert.True(rate >= 0.97, $"agreement {rate:P1} < 97%; disagreeing: {string.Join(", ", disagreements.Select(d => d.Split(' ')[0]))}");
    }

    private static string Short(string? s) => s == null ? "null" : s.Length > 60 ? s[..60] + "..." : s;
}

/// <summary>The grader keeps no state between calls: grading the vectors on many threads gives the sequential verdicts.</summary>
public class VerifyThreadSafetyTests
{
    [Fact]
    public void ParallelGradingGivesTheSequentialVerdicts()
    {
        var cases = GradingCase.Load();
        var grader = new VerifyGrader(VerdictOptions.Generous);
        var sequential = cases.Select(c => grader.Grade(c.Prediction, c.Gold).Correct).ToArray();
        var parallel = new bool[cases.Count];
        Parallel.For(0, cases.Count * 3, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var i = k % cases.Count;
            parallel[i] = grader.Grade(cases[i].Prediction, cases[i].Gold).Correct;
        });
        Assert.Equal(sequential, parallel);
        Assert.Contains(true, sequential);
        Assert.Contains(false, sequential);
    }
}
