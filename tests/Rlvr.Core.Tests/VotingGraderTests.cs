using Rlvr.Core.Voting;
using Rlvr.Grading;
using Rlvr.Grading.Paper;
using Rlvr.Grading.Verify;

namespace Rlvr.Core.Tests;

/// <summary>Majority voting with the project's real graders (not the stand-in TableGrader).</summary>
public class VotingGraderTests
{
    private static readonly string[] HalfInThreeForms =
    [
        "So the answer is $\\boxed{0.5}$.",
        "Thus $\\boxed{3}$.",
        "The probability is $\\boxed{\\frac{1}{2}}$.",
        "I get $\\boxed{3}$.",
        "Final answer: $\\boxed{1/2}$",
    ];

    // Distinct extracted forms in the winning group: the paper grader's strip_string already rewrites
    // "1/2" as "\\frac{1}{2}" (upstream's _fix_a_slash_b), so only 0.5 needs the equivalence judge there.
    public static TheoryData<string, int> Modes => new() { { "verify", 3 }, { "paper", 2 } };

    // VerifyGrader is constructed directly: Graders.Create(GraderMode.Verify) still throws
    // "TEMPORARY until branch verify is merged" in main.
    private static IAnswerGrader Create(string mode) => mode == "verify" ? new VerifyGrader() : new PaperGrader();

    [Theory]
    [MemberData(nameof(Modes))]
    public void One_half_in_three_forms_votes_together_and_outvotes_a_larger_string_plurality(string mode, int forms)
    {
        var grader = Create(mode);
        var vote = MajorityVote.Vote(HalfInThreeForms, grader);
        // By string equality "3" (2 votes) would win; by equivalence 0.5 = \frac{1}{2} = 1/2 has 3.
        Assert.Equal([3, 2], vote.Groups.Select(g => g.Votes));
        Assert.Equal(forms, vote.Groups[0].Forms.Count);
        Assert.True(grader.AnswersEquivalent(vote.Label!, "\\frac{1}{2}"));
        Assert.False(grader.AnswersEquivalent(vote.Groups[1].Answer, "\\frac{1}{2}"));
        Assert.Equal(0.2, vote.Margin, 12);
    }
}
