using Rlvr.Core.Evaluation;

namespace Rlvr.Core.Analysis;

/// <summary>One evaluation set's curve over a run, reduced to what the paper reports.</summary>
/// <param name="Set">The set (e.g. "MATH-500@1").</param>
/// <param name="K">Samples per problem.</param>
/// <param name="FinalStep">The last evaluated step.</param>
/// <param name="Final">avg@k at the final step.</param>
/// <param name="Smoothed">The mean avg@k over the entries of the window's last steps (the paper's smoothed final value).</param>
/// <param name="Entries">How many entries that mean covers.</param>
public sealed record EvalCurvePoint(string Set, int K, int FinalStep, double Final, double Smoothed, int Entries);

/// <summary>
/// The paper reports each benchmark at the final step smoothed over 10 steps: here the mean avg@k of the
/// eval.jsonl entries whose step lies in (final - window, final], per set (a trailing window: nothing
/// follows the final step). With a snapshot every step that is the last 10 evaluations.
/// </summary>
public static class EvalCurveSummary
{
    /// <summary>The paper's window, in training steps.</summary>
    public const int PaperWindow = 10;

    /// <summary>Each set's final and smoothed value, in the order the sets first appear.</summary>
    public static IReadOnlyList<EvalCurvePoint> Summarize(IReadOnlyList<SnapshotEvalEntry> entries, int window = PaperWindow)
    {
        if (window < 1) throw new ArgumentException($"--window {window}: need at least 1 step");
        var bySet = entries.OrderBy(e => e.Step)
            .SelectMany(e => e.Sets.Select(s => (e.Step, s)))
            .GroupBy(x => x.s.Set);
        return bySet.Select(g =>
        {
            var final = g.Last();
            var recent = g.Where(x => x.Step > final.Step - window).ToArray();
            return new EvalCurvePoint(g.Key, final.s.K, final.Step, final.s.AvgAtK, recent.Average(x => x.s.AvgAtK), recent.Length);
        }).ToArray();
    }
}
