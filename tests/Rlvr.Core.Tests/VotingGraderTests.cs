using Rlvr.Core.Voting;
using Rlvr.Grading;

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

    // A generous time limit: this test is about grouping, and on a loaded 2-core CI machine the first
    // (JIT-compiling) grade call can exceed the default 250 ms and read as "not equivalent".
    private static readonly GradeOptions Patient = GradeOptions.Default with { TimeLimit = TimeSpan.FromSeconds(30) };

    private static IAnswerGrader Create(string mode) => Graders.Create(mode == "verify" ? GraderMode.Verify : GraderMode.Paper, Patient);

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
