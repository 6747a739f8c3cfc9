using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rlvr.Tests;

namespace Rlvr.Grading.Tests;

/// <summary>One row of tests/vectors/grading/cases.jsonl (see its README for the fields).</summary>
public sealed record GradingCase(string Id, string Gold, string Prediction, bool Expected, string Note, string Source)
{
    public static IReadOnlyList<GradingCase> Load()
    {
        var path = RepoPaths.Vectors("grading", "cases.jsonl");
        var cases = new List<GradingCase>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string Text(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new InvalidDataException($"{path}:{lineNumber}: missing string field '{key}'");
            cases.Add(new GradingCase(Text("id"), Text("gold"), Text("prediction"), root.GetProperty("expected").GetBoolean(), Text("note"), Text("source")));
        }
        return cases;
    }

    /// <summary>The grader configuration the source test used, read from <see cref="Note"/>
    /// (float_rounding, strict, allow_set_relation_comp, match_types without expr, TRL's reasoning delimiter).</summary>
    public GradeOptions Options()
    {
        // A generous time limit: these tests check verdicts; the time bound has its own tests.
        var options = VerdictOptions.Generous;
        var rounding = Regex.Match(Note, @"float_rounding=(\d+)");
        if (rounding.Success) options = options with { FloatRounding = int.Parse(rounding.Groups[1].Value, CultureInfo.InvariantCulture) };
        if (Note.Contains("strict=False", StringComparison.Ordinal)) options = options with { Strict = false };
        if (Note.Contains("allow_set_relation_comp=True", StringComparison.Ordinal)) options = options with { AllowSetRelationComparison = true };
        if (Regex.IsMatch(Note, @"match_types=latex(?!\+expr)")) options = options with { PlainTextFallback = false };
        if (Note.Contains("reasoning_accuracy_reward", StringComparison.Ordinal))
        {
            var custom = Regex.Match(Note, @"reasoning_delimiters=\['([^']+)'\]");
            options = options with { ReasoningDelimiters = [custom.Success ? custom.Groups[1].Value : "</think>"] };
        }
        return options;
    }
}
