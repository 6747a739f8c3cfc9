using Rlvr.Core.Rewards;
using Rlvr.Grading;

namespace Rlvr.Core.Tests;

/// <summary>Each upstream reward on small groups whose scores are worked out by hand from
/// research/upstream.md §1.1–1.3.</summary>
public sealed class RewardsTests
{
    // A generous grading time limit: these tests assert verdicts, and on a loaded 2-core CI machine the
    // first (JIT-compiling) grade call can exceed the default 250 ms and read as a wrong answer.
    private static readonly RewardOptions Patient = new() { Grading = GradeOptions.Default with { TimeLimit = TimeSpan.FromSeconds(10) } };

    private static double[] Score(string reward, string label, params string[] completions) =>
        RewardRegistry.Create(reward, Patient).Score(new RewardGroup("p1", label, completions));

    [Fact]
    public void Math_grades_the_extracted_answer_against_the_label()
    {
        // \frac12 -> \frac{1}{2}; 0.5 -> \frac{1}{2} (Hendrycks special case); 2/4 is an unreduced fraction
        // (exact string rule); no number at all extracts "".
        Assert.Equal([1, 1, 0, 0], Score("math", @"\frac{1}{2}", @"so \boxed{\frac12}", @"\boxed{0.5}", @"\boxed{2/4}", "no answer"));
        // AIME/AMC labels: zero-padded and float-formatted integers.
        Assert.Equal([1, 0], Score("math", "025", @"\boxed{25}", @"\boxed{26}"));
        Assert.Equal([1], Score("math", "142.0", "The answer is 142."));
    }

    [Fact]
    public void Math_can_use_the_verify_grader()
    {
        // graders.md §6.1: gold 10\% vs 0.1 is wrong for the paper's reward, right for Math-Verify;
        // gold 10\% vs 10 the other way round.
        var group = new RewardGroup("p", @"10\%", [@"\boxed{0.1}", @"\boxed{10}"]);
        Assert.Equal([0, 1], RewardRegistry.Create("math", Patient).Score(group));
        Assert.Equal([1, 0], RewardRegistry.Create("math", Patient with { MathGrader = GraderMode.Verify }).Score(group));
    }

    [Fact]
    public void R1_style_reads_only_the_text_after_the_last_answer_tag()
    {
        const string completion = @"\boxed{5} <answer>3</answer>";
        Assert.Equal([0], Score("math", "3", completion));            // the box wins without r1 style
        Assert.Equal([1], Score("math_r1_style", "3", completion));
        Assert.Equal([1], Score("math_r1_only", "3", completion));    // README alias
        Assert.Equal([0], Score("inverse_math_r1_style", "3", completion));
    }

    [Fact]
    public void Format_counts_any_extracted_answer_including_the_last_number()
    {
        Assert.Equal([0, 1, 1], Score("format", "7", "no digits here", "I guess 4", @"\boxed{x}"));
    }

    [Fact]
    public void Box_only_format_needs_a_non_empty_last_box()
    {
        // " a " strips to "a": removing the unit "a" would leave "", so strip_string keeps it.
        Assert.Equal([0, 1, 0, 1], Score("box_only_format", "7", "the answer is 4", @"\boxed{4}", @"\boxed{}", @"\boxed{ a }"));
    }

    [Fact]
    public void Python_rewards_look_for_the_word_case_insensitively()
    {
        string[] texts = ["```Python\nprint(1)\n```", "I will use python", "plain reasoning"];
        Assert.Equal([1, 0, 0], Score("contain_python", "1", texts));
        Assert.Equal([1, 1, 0], Score("contain_python_wo_backticks", "1", texts));
        Assert.Equal([0, 0, 1], Score("inverse_contain_python_wo_backticks", "1", texts));
    }

    [Fact]
    public void And_needs_every_component()
    {
        // The paper's "format without Python".
        Assert.Equal([0, 1, 0], Score("box_only_format_AND_inverse_contain_python_wo_backticks", "4",
            @"\boxed{4} via python", @"\boxed{4}", "4"));
    }

    [Fact]
    public void Ttt_rewards_agreement_with_the_majority_grouped_by_grader_equivalence()
    {
        // Strings: "3" twice, "\frac{1}{2}" twice, "0.5" once. An exact-string vote would tie and pick "3";
        // grouped by equivalence the half wins 3 to 2. The label plays no part.
        Assert.Equal([0, 0, 1, 1, 1, 0], Score("ttt", "999",
            @"\boxed{3}", @"\boxed{3}", @"\boxed{0.5}", @"\boxed{\frac{1}{2}}", @"\boxed{\dfrac{1}{2}}", "no digits"));
        // A tie goes to the answer seen first.
        Assert.Equal([1, 0, 1, 0], Score("ttt", "0", @"\boxed{4}", @"\boxed{2}", @"\boxed{4}", @"\boxed{2}"));
    }

    [Fact]
    public void Ttt_exact_votes_by_string_as_upstream()
    {
        // The same six completions as above: by exact string "3" and "\frac{1}{2}" tie at 2 and "3" is
        // seen first, so it wins; each completion then scores grade_answer("3", its answer).
        Assert.Equal([1, 1, 0, 0, 0, 0], Score("ttt_exact", "999",
            @"\boxed{3}", @"\boxed{3}", @"\boxed{0.5}", @"\boxed{\frac{1}{2}}", @"\boxed{\dfrac{1}{2}}", "no digits"));
        // A tie goes to the string seen first even when the other reaches the count first (Counter.most_common).
        Assert.Equal([1, 0, 0, 1], Score("ttt_exact", "0", @"\boxed{2}", @"\boxed{4}", @"\boxed{4}", @"\boxed{2}"));
        // No answer is the empty string, and it can win: then only the answerless completions score 1,
        // where the clustered ttt rewards the one answer given.
        Assert.Equal([0, 1, 1], Score("ttt_exact", "7", @"\boxed{7}", "no digits", "none here either"));
        Assert.Equal([1, 0, 0], Score("ttt", "7", @"\boxed{7}", "no digits", "none here either"));
    }

    [Fact]
    public void No_repetition_detects_ten_back_to_back_copies()
    {
        var ten = string.Concat(Enumerable.Repeat("abcdefghij", 10));
        var nine = string.Concat(Enumerable.Repeat("abcdefghij", 9));
        var period11 = "xyz" + string.Concat(Enumerable.Repeat("0123456789A", 10)) + " tail";
        var period11Nine = string.Concat(Enumerable.Repeat("0123456789A", 9));
        var aaa = new string('a', 100);
        Assert.Equal([0, 1, 0, 1, 0, 1], Score("no_repetition", "1", ten, nine, period11, period11Nine, aaa, new string('a', 99)));
    }

    [Fact]
    public void Random_rewards_are_seeded_and_hit_their_rate()
    {
        var completions = Enumerable.Repeat("x", 10_000).ToArray();
        var group = new RewardGroup("problem-7", "1", completions, seed: 42);
        var first = RewardRegistry.Create("random0.3").Score(group);
        Assert.Equal(first, RewardRegistry.Create("random0.3").Score(group));   // reproducible
        Assert.InRange(first.Average(), 0.28, 0.32);                           // Bernoulli(0.3) over 10k draws

        var otherSeed = RewardRegistry.Create("random0.3").Score(new RewardGroup("problem-7", "1", completions, seed: 43));
        Assert.NotEqual(first, otherSeed);
        var otherProblem = RewardRegistry.Create("random0.3").Score(new RewardGroup("problem-8", "1", completions, seed: 42));
        Assert.NotEqual(first, otherProblem);

        Assert.All(RewardRegistry.Create("random0").Score(group), r => Assert.Equal(0.0, r));
        Assert.All(RewardRegistry.Create("random1").Score(group), r => Assert.Equal(1.0, r));
        var inverse = RewardRegistry.Create("inverse_random0.3").Score(group);
        Assert.Equal(first.Select(r => 1 - r), inverse);
    }

    [Fact]
    public void A_sample_index_fixes_its_draw_whatever_else_is_in_the_group()
    {
        var all = RewardRegistry.Create("random0.5").Score(new RewardGroup("p", "1", ["a", "b", "c", "d"], [0, 1, 2, 3], seed: 5));
        var some = RewardRegistry.Create("random0.5").Score(new RewardGroup("p", "1", ["z", "y"], [3, 1], seed: 5));
        Assert.Equal([all[3], all[1]], some);
    }

    [Theory]
    [InlineData("maths")]
    [InlineData("random")]
    [InlineData("random1.5")]
    [InlineData("randomx")]
    [InlineData("math_AND_")]
    [InlineData("")]
    public void Unknown_names_fail_with_the_valid_ones(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => RewardRegistry.Create(name));
        Assert.Contains("box_only_format", error.Message);
        Assert.Contains("random<p>", error.Message);
        Assert.Contains("_r1_style", error.Message);
    }

    [Fact]
    public void Names_are_kept_and_groups_are_checked()
    {
        Assert.Equal("inverse_math", RewardRegistry.Create("inverse_math").Name);
        Assert.Throws<ArgumentException>(() => new RewardGroup("p", "1", ["a", "b"], [0]));
    }
}
