using System.Text.Json;
using Rlvr.Grading.Verify;
using Rlvr.Tests;
using Xunit.Abstractions;

namespace Rlvr.Grading.Tests;

/// <summary>The 643 gold answers of the paper's evaluation sets (MATH-500, AIME-2024, AIME-2025, AMC), each boxed
/// in a response: it must grade true against itself and false against other problems' golds.</summary>
public class VerifyDatasetGoldTests(ITestOutputHelper output)
{
    internal static readonly string[] EvalSets = ["MATH-TTT", "AIME-TTT", "AIME2025-TTT", "AMC-TTT"];

    internal static List<(string Id, string Answer)> LoadGolds()
    {
        var golds = new List<(string, string)>();
        foreach (var set in EvalSets)
        {
            var path = RepoPaths.Data(set, "test.json");
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var index = 0;
            foreach (var row in doc.RootElement.EnumerateArray())
            {
                var answer = row.GetProperty("answer");
                var text = answer.ValueKind == JsonValueKind.String ? answer.GetString()! : answer.GetRawText();
                golds.Add(($"{set}#{index++}", text));
            }
        }
        return golds;
    }

    internal static string Boxed(string answer) => $"The answer is $\\boxed{{{answer}}}$.";

    [Fact]
    public void EveryGoldGradesTrueAgainstItself()
    {
        var golds = LoadGolds();
        Assert.Equal(500 + 30 + 30 + 83, golds.Count);
        var grader = new VerifyGrader(VerdictOptions.Generous);
        var failures = golds.Where(g => !grader.Grade(Boxed(g.Answer), g.Answer).Correct).Select(g => $"{g.Id} {g.Answer}").ToList();
        foreach (var f in failures) output.WriteLine("not equal to itself: " + f);
        Assert.Empty(failures);
    }

    [Fact]
    public void GoldsOfDifferentProblemsAreNotEqual()
    {
        var golds = LoadGolds();
        var grader = new VerifyGrader(VerdictOptions.Generous);
        var random = new Random(20250611);
        var pairs = 0;
        var wrong = new List<string>();
        foreach (var (id, answer) in golds)
        {
            for (var k = 0; k < 4; k++)
            {
                var other = golds[random.Next(golds.Count)];
                if (other.Answer == answer) continue;
                pairs++;
                if (grader.Grade(Boxed(other.Answer), answer).Correct) wrong.Add($"{id} [{answer}] vs {other.Id} [{other.Answer}]");
            }
        }
        var rate = 1.0 - wrong.Count / (double)pairs;
        output.WriteLine($"{pairs} pairs of different golds, {rate:P2} graded false");
        foreach (var w in wrong) output.WriteLine("graded equal: " + w);
        Assert.True(pairs > 2000);
        Assert.True(rate >= 0.99, $"only {rate:P2} of different-gold pairs graded false");
    }
}
