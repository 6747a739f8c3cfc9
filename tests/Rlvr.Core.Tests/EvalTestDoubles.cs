using System.Text.RegularExpressions;
using Rlvr.Core.Evaluation;
using Rlvr.Grading;

namespace Rlvr.Core.Tests;

/// <summary>Answers "What is N?" prompts: right or wrong, in code or not, as a hash of (prompt, seed, sample) decides.
/// Deterministic, so an interrupted and resumed run must reproduce an uninterrupted one.</summary>
internal sealed class ScriptedGenerator(int failAfterCalls = int.MaxValue) : ITextGenerator
{
    public List<(IReadOnlyList<GenerationRequest> Batch, SamplingSettings Settings)> Calls { get; } = [];

    public IReadOnlyList<IReadOnlyList<GeneratedText>> Generate(IReadOnlyList<GenerationRequest> batch, SamplingSettings settings)
    {
        if (Calls.Count >= failAfterCalls) throw new IOException("simulated crash");
        Calls.Add((batch, settings));
        return batch.Select(r => (IReadOnlyList<GeneratedText>)Enumerable.Range(0, r.Samples).Select(j =>
        {
            var answer = Regex.Match(r.Prompt, @"What is (\d+)\?").Groups[1].Value;
            var h = Hash($"{r.Prompt}|{settings.Seed}|{j}");
            var text = (h % 3 == 0 ? "I will use python. " : "By hand. ") + $"\\boxed{{{(h % 2 == 0 ? answer : "wrong")}}}";
            return new GeneratedText(text, r.Prompt.Length, 3 + (int)(h % 5), h % 7 == 0 ? FinishReason.Length : FinishReason.Stop);
        }).ToList()).ToList();
    }

    private static uint Hash(string s)
    {
        var h = 2166136261u;
        foreach (var c in s) h = (h ^ c) * 16777619u;
        return h;
    }
}

/// <summary>A minimal grader for these tests: the last \boxed{...} must equal the label exactly.</summary>
internal sealed class BoxedExactGrader : IAnswerGrader
{
    public GraderMode Mode => GraderMode.Verify;
    public string? Extract(string response) => Regex.Match(response, @"\\boxed\{([^}]*)\}\s*$") is { Success: true } m ? m.Groups[1].Value : null;
    public GradeResult Grade(string response, string gold) => Extract(response) is { } e ? new(e == gold, e, false) : new(false, null, false);
    public bool AnswersEquivalent(string first, string second) => first == second;
}
