namespace Rlvr.Core.Rewards;

/// <summary>
/// <c>ttt_exact</c>: upstream's TTRL <c>ttt</c> reward as its code computes it. Each completion's answer is
/// extracted (no answer is the empty string), the most frequent string wins (Python's
/// <c>Counter.most_common(1)</c>: exact string equality, ties to the string seen first), and each
/// completion scores <c>grade_answer(voted, its answer)</c>. So "0.5" and "\frac{1}{2}" split their
/// votes, and when most completions give no answer the empty string wins and exactly those completions
/// score 1 (grade_answer("", "") is true). <c>ttt</c> (<see cref="MajorityVoteReward"/>) is the default:
/// it clusters equivalent answers and lets no-answer completions neither vote nor score.
/// </summary>
public sealed class ExactStringVoteReward(string name, RewardOptions options, bool r1Style) : IReward
{
    private readonly RewardGrader _grader = new(options, r1Style);

    public string Name { get; } = name;

    public double[] Score(RewardGroup group)
    {
        var grader = _grader.Grader;
        var answers = group.Completions.Select(c => grader.Extract(_grader.View(c)) ?? "").ToArray();
        if (answers.Length == 0) return [];
        // GroupBy keeps first-appearance order and MaxBy the first maximum: Counter.most_common's tie-break
        var voted = answers.GroupBy(a => a, StringComparer.Ordinal).MaxBy(g => g.Count())!.Key;
        return answers.Select(a => grader.AnswersEquivalent(voted, a) ? 1.0 : 0.0).ToArray();
    }
}
