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

    /// <summary>The training labels (DeepScaleR levels 1-5, every 4th distinct answer) are read and match themselves too:
    /// the verify grader as the `math` reward must not fail a correct completion because it cannot read the label.
    /// A few labels are malformed (an unbalanced brace, a 1,000-digit number split by blanks), hence 99.5%, not 100%.</summary>
    [Fact]
    public void TrainingLabelsGradeTrueAgainstThemselves()
    {
        var answers = new List<string>();
        for (var level = 1; level <= 5; level++)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Data($"DeepScaleR_Difficulty_Level_{level}", "train.json")));
            foreach (var row in doc.RootElement.EnumerateArray())
            {
                if (row.GetProperty("answer") is { ValueKind: JsonValueKind.String } answer) answers.Add(answer.GetString()!);
            }
        }
        var sample = answers.Distinct().Where((_, k) => k % 4 == 0).ToList();
        var grader = new VerifyGrader(VerdictOptions.Generous);
        var failures = sample.Where(a => !grader.Grade(Boxed(a), a).Correct).ToList();
        foreach (var f in failures) output.WriteLine("label not equal to itself: " + f);
        output.WriteLine($"{sample.Count - failures.Count}/{sample.Count} labels grade true against themselves");
        Assert.True(sample.Count > 2500);
        Assert.True(failures.Count <= sample.Count / 200, $"{failures.Count} labels do not match themselves");
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
