namespace Rlvr.Core.Rewards;

/// <summary>
/// <c>ttt</c> (TTRL): an online majority vote over the group's own answers. Answers are extracted with the
/// chosen grader and grouped by that grader's equivalence (so "0.5" and "\frac{1}{2}" vote together, where
/// upstream's Counter compares exact strings); the largest group wins, ties going to the group seen first
/// (as Python's Counter.most_common). Each completion then scores
/// <c>grade_answer(voted, its answer)</c>. Completions without an answer neither vote nor score (upstream
/// would let the empty string vote, and grade_answer("", "") is true). This is the default <c>ttt</c>;
/// <c>ttt_exact</c> (<see cref="ExactStringVoteReward"/>) is upstream's exact-string vote.
/// </summary>
public sealed class MajorityVoteReward(string name, RewardOptions options, bool r1Style) : IReward
{
    private readonly RewardGrader _grader = new(options, r1Style);

    public string Name { get; } = name;

    public double[] Score(RewardGroup group)
    {
        var grader = _grader.Grader;
        var answers = group.Completions.Select(c => grader.Extract(_grader.View(c))).ToArray();

        // Clusters of equivalent answers: (representative, votes), in order of first appearance.
        var clusters = new List<(string Representative, int Votes)>();
        foreach (var answer in answers)
        {
            if (string.IsNullOrEmpty(answer)) continue;
            var index = clusters.FindIndex(c => grader.AnswersEquivalent(c.Representative, answer));
            if (index < 0) clusters.Add((answer, 1));
            else clusters[index] = (clusters[index].Representative, clusters[index].Votes + 1);
        }
        var scores = new double[answers.Length];
        if (clusters.Count == 0) return scores;

        var voted = clusters[0];
        foreach (var cluster in clusters) if (cluster.Votes > voted.Votes) voted = cluster;
        for (var k = 0; k < answers.Length; k++)
        {
            var answer = answers[k];
            scores[k] = !string.IsNullOrEmpty(answer) && grader.AnswersEquivalent(voted.Representative, answer) ? 1.0 : 0.0;
        }
        return scores;
    }
}
