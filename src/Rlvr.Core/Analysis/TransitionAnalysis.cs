using Rlvr.Core.Evaluation;

namespace Rlvr.Core.Analysis;

/// <summary>How a response's reasoning changed between two evaluations.</summary>
public enum ReasoningTransition
{
    CodeToCode,
    CodeToLanguage,
    LanguageToCode,
    LanguageToLanguage,
}

/// <summary>One transition's part of the accuracy change.</summary>
/// <param name="Transition">The category.</param>
/// <param name="Responses">How many response pairs fall in it.</param>
/// <param name="NetGain">Σ over its pairs of (1[correct after] − 1[correct before]).</param>
/// <param name="Share">NetGain / total net gain (the paper's C_d); null when the total is 0.</param>
public sealed record TransitionRow(ReasoningTransition Transition, int Responses, int NetGain, double? Share);

/// <summary>The paper's Table 2 for one dataset.</summary>
/// <param name="AccuracyBefore">Accuracy (avg@k) before.</param>
/// <param name="AccuracyAfter">Accuracy after.</param>
/// <param name="Rows">The four transitions, in the order of <see cref="ReasoningTransition"/>.</param>
public sealed record TransitionTable(string Dataset, string ModelBefore, string ModelAfter, int Pairs,
    double AccuracyBefore, double AccuracyAfter, IReadOnlyList<TransitionRow> Rows)
{
    /// <summary>The accuracy change in percentage points.</summary>
    public double GainPoints => 100 * (AccuracyAfter - AccuracyBefore);
}

/// <summary>
/// Splits the accuracy change between two evaluations of the same problems by how the reasoning
/// changed (the paper's Table 2): C_d = Σ_{x∈d}(1[correct_after(x)] − 1[correct_before(x)]) /
/// Σ_{x∈D}(same), with d ∈ {code→code, code→language, language→code, language→language}.
/// The paper evaluates MATH-500 with one greedy response per problem; with k samples per problem the
/// i-th sample before is paired with the i-th after (both runs must have the same k).
/// </summary>
public static class TransitionAnalysis
{
    public static TransitionTable Analyze(EvalResult before, EvalResult after)
    {
        if (before.Run.Dataset != after.Run.Dataset)
            throw new ArgumentException($"the two results are of different datasets ({before.Run.Dataset} vs {after.Run.Dataset})");
        var afterById = new Dictionary<string, ProblemOutcome>();
        foreach (var p in after.Problems) afterById[p.Id] = p;
        if (afterById.Count != before.Problems.Count || before.Problems.Any(p => !afterById.ContainsKey(p.Id)))
            throw new ArgumentException($"{before.Run.Dataset}: the two results (models {before.Run.Model} and {after.Run.Model}) hold different problems ({before.Problems.Count} vs {after.Problems.Count})");

        var responses = new int[4];
        var net = new int[4];
        int pairs = 0, correctBefore = 0, correctAfter = 0;
        foreach (var b in before.Problems)
        {
            var a = afterById[b.Id];
            if (a.Samples.Count != b.Samples.Count)
                throw new ArgumentException($"problem {b.Id}: {b.Samples.Count} samples before, {a.Samples.Count} after; pairing needs equal k");
            for (var i = 0; i < b.Samples.Count; i++)
            {
                var t = (int)Classify(b.Samples[i].HasCode, a.Samples[i].HasCode);
                responses[t]++;
                net[t] += (a.Samples[i].Correct ? 1 : 0) - (b.Samples[i].Correct ? 1 : 0);
                correctBefore += b.Samples[i].Correct ? 1 : 0;
                correctAfter += a.Samples[i].Correct ? 1 : 0;
                pairs++;
            }
        }
        var total = net.Sum();
        var rows = Enum.GetValues<ReasoningTransition>()
            .Select(t => new TransitionRow(t, responses[(int)t], net[(int)t], total == 0 ? null : net[(int)t] / (double)total))
            .ToList();
        return new TransitionTable(before.Run.Dataset, before.Run.Model, after.Run.Model, pairs,
            correctBefore / (double)pairs, correctAfter / (double)pairs, rows);
    }

    public static ReasoningTransition Classify(bool codeBefore, bool codeAfter) => (codeBefore, codeAfter) switch
    {
        (true, true) => ReasoningTransition.CodeToCode,
        (true, false) => ReasoningTransition.CodeToLanguage,
        (false, true) => ReasoningTransition.LanguageToCode,
        _ => ReasoningTransition.LanguageToLanguage,
    };

    /// <summary>The label used in tables: "code->code" etc.</summary>
    public static string Label(ReasoningTransition t) => t switch
    {
        ReasoningTransition.CodeToCode => "code->code",
        ReasoningTransition.CodeToLanguage => "code->lang",
        ReasoningTransition.LanguageToCode => "lang->code",
        _ => "lang->lang",
    };
}
