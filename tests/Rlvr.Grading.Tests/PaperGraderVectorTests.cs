using System.Text.Json;
using Rlvr.Grading;
using Rlvr.Grading.Paper;
using Rlvr.Tests;
using Xunit.Abstractions;

namespace Rlvr.Grading.Tests;

/// <summary>
/// The paper grader against tests/vectors/grading/cases.jsonl, whose <c>paper_grader</c> and
/// <c>paper_extracted</c> fields come from running the Spurious-Rewards fork's own Python code.
/// </summary>
public sealed class PaperGraderVectorTests(ITestOutputHelper output)
{
    private sealed record Case(string Id, string Gold, string Prediction, bool PaperGrader, string PaperExtracted);

    private static readonly Lazy<List<Case>> Cases = new(() => File.ReadLines(RepoPaths.Vectors("grading", "cases.jsonl"))
        .Where(line => line.Trim().Length > 0)
        .Select(line =>
        {
            var row = JsonDocument.Parse(line).RootElement;
            return new Case(row.GetProperty("id").GetString()!, row.GetProperty("gold").GetString()!,
                row.GetProperty("prediction").GetString()!, row.GetProperty("paper_grader").GetBoolean(),
                row.GetProperty("paper_extracted").GetString() ?? "");
        })
        .ToList());

    // A generous bound: the vectors hold 11k-character responses and CI shares two cores.
    private static readonly GradeOptions Options = VerdictOptions.Generous;

    [Fact]
    public void Reproduces_the_paper_verdict_on_at_least_99_percent()
    {
        var grader = new PaperGrader(Options);
        var failures = Cases.Value
            .Where(c => grader.Grade(c.Prediction, GoldAsTheVectorsGradedIt(c.Gold)).Correct != c.PaperGrader)
            .Select(c => $"{c.Id} (expected {c.PaperGrader})")
            .ToList();
        var rate = 1.0 - (double)failures.Count / Cases.Value.Count;
        output.WriteLine($"paper_grader agreement {rate:P2} ({Cases.Value.Count - failures.Count}/{Cases.Value.Count}); failing: {string.Join(", ", failures)}");
        Assert.True(rate >= 0.99, $"agreement {rate:P2}; failing: {string.Join(", ", failures)}");
    }

    [Fact]
    public void Reproduces_the_extracted_answer_on_at_least_95_percent()
    {
        var grader = new PaperGrader(Options);
        var mismatches = Cases.Value
            .Select(c => (c, got: grader.Grade(c.Prediction, GoldAsTheVectorsGradedIt(c.Gold)).Extracted ?? ""))
            .Where(x => x.got != x.c.PaperExtracted)
            .ToList();
        var failures = mismatches.Select(x => $"{x.c.Id}: got [{x.got}] want [{x.c.PaperExtracted}]").ToList();
        var rate = 1.0 - (double)failures.Count / Cases.Value.Count;
        output.WriteLine($"paper_extracted agreement {rate:P2}; failing:\n{string.Join("\n", failures)}");
        Assert.True(rate >= 0.95, $"agreement {rate:P2}; failing: {string.Join("; ", failures)}");

        // The vectors were computed with word2number stubbed out (graders.md §7); the real word2number turns
        // an all-digit answer into an int ("000" -> "0", "01" -> "1"), as we do. No other difference is expected.
        Assert.All(mismatches, x => Assert.Equal(WithoutLeadingZeros(x.c.PaperExtracted), x.got));
    }

    private static string WithoutLeadingZeros(string digits) =>
        digits.All(char.IsAsciiDigit) && digits.Length > 0 ? (digits.TrimStart('0') is { Length: > 0 } t ? t : "0") : digits;

    /// <summary>How the vector file's paper fields were computed (graders.md §7): the gold is reduced to its
    /// last <c>\boxed{}</c> content if it has one, else stripped of one enclosing <c>$…$</c> or <c>$$…$$</c>.</summary>
    internal static string GoldAsTheVectorsGradedIt(string gold)
    {
        var boxed = gold.LastIndexOf("\\boxed{", StringComparison.Ordinal);
        if (boxed >= 0)
        {
            var start = boxed + "\\boxed{".Length;
            var depth = 1;
            for (var i = start; i < gold.Length; i++)
            {
                if (gold[i] == '{') depth++;
                else if (gold[i] == '}' && --depth == 0) return gold[start..i];
            }
            return gold[start..];
        }
        var trimmed = gold.Trim();
        if (trimmed.Length >= 4 && trimmed.StartsWith("$$") && trimmed.EndsWith("$$")) return trimmed[2..^2];
        if (trimmed.Length >= 2 && trimmed.StartsWith('$') && trimmed.EndsWith('$')) return trimmed[1..^1];
        return gold;
    }
}
