using Rlvr.Grading;
using Rlvr.Grading.Paper;

namespace Rlvr.Grading.Tests;

/// <summary>
/// The behaviour probe of research/graders.md §6.1: the fork's own <c>qwen_reward_fn</c> was run on these
/// pairs; the "paper extracts" and "paper" columns are the expected values here.
/// </summary>
public sealed class PaperGraderProbeTests
{
    private static readonly PaperGrader Grader = new(VerdictOptions.Generous);

    [Theory]
    [InlineData(@"\left( 3, \frac{\pi}{2} \right)", @"$\boxed{(3,\frac{\pi}{2})}$", @"(3,\frac{\pi}{2})", true)]
    [InlineData("025", @"\boxed{25}", "25", true)]
    [InlineData("142.0", @"\boxed{142}", "142", true)]
    [InlineData(@"90^\circ", @"\boxed{90}", "90", true)]
    [InlineData(@"\frac{14}{3}", @"\boxed{14/3}", @"\frac{14}{3}", true)]
    [InlineData(@"\frac{14}{3}", @"\boxed{4.6667}", "4.6667", false)]
    [InlineData(@"\frac{1}{2}", @"\boxed{0.5}", "0.5", true)]
    [InlineData(@"3\sqrt{13}", @"\boxed{\sqrt{117}}", @"\sqrt{117}", true)]
    [InlineData(@"10\%", @"\boxed{10}", "10", true)]
    [InlineData(@"10\%", @"\boxed{0.1}", "0.1", false)]
    [InlineData("42", "The answer is 42.", "42", true)]
    [InlineData("2220", @"\boxed{2,220}", "2,220", true)]
    [InlineData("3", @"\boxed{x=3}", "3", true)]
    [InlineData(@"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", @"\boxed{\begin{bmatrix} 1 \\ 2 \end{bmatrix}}", @"\begin{pmatrix}1\\2\end{pmatrix}", true)]
    [InlineData("[-2,7]", @"\boxed{(-2, 7)}", "(-2,7)", false)]
    [InlineData("5", @"\fbox{5}", "5", true)]
    [InlineData("5", "no box, final 5 then 6", "6", false)]
    [InlineData(@"2\pi", @"\boxed{6.2832}", "6.2832", false)]
    [InlineData("1,2", @"\boxed{2,1}", "2,1", false)]
    [InlineData(@"1.5\times10^{3}", @"\boxed{1500}", "1500", false)]
    [InlineData(@"5\text{ cm}", @"\boxed{5}", "5", true)]
    public void Matches_the_upstream_probe(string gold, string prediction, string extracted, bool correct)
    {
        var result = Grader.Grade(prediction, gold);
        Assert.Equal(extracted, result.Extracted);
        Assert.Equal(correct, result.Correct);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public void Unreduced_fractions_and_integers_follow_the_exact_rules()
    {
        Assert.False(Grader.Grade(@"\boxed{\frac{2}{4}}", @"\frac{1}{2}").Correct); // a/b vs c/d: exact strings
        Assert.True(Grader.Grade(@"\boxed{2.5}", "5/2").Correct);                      // only one side a/b: sympy, 5/2 - 2.5 = 0
        Assert.True(Grader.Grade(@"\boxed{2.5}", "2.5").Correct);
    }

    [Fact]
    public void Multiple_choice_labels_take_the_last_letter()
    {
        Assert.True(Grader.Grade("Between (A) and (C), I pick C.", "C").Correct);
        Assert.False(Grader.Grade("Between (A) and (C), I pick C. Actually B", "C").Correct);
    }

    [Fact]
    public void Never_throws_and_flags_timeouts()
    {
        var tight = new PaperGrader(GradeOptions.Default with { TimeLimit = TimeSpan.Zero });
        var result = tight.Grade("The answer is " + new string('x', 50_000), "1");
        Assert.False(result.Correct);
        Assert.True(result.TimedOut);
        Assert.False(Grader.Grade(@"\boxed{" + new string('{', 10_000), "1").Correct);
        Assert.False(Grader.Grade(@"\boxed{10^{10^{10^{10}}}}", "1").Correct);
    }

    [Fact]
    public void A_work_limit_bounds_a_call_deterministically_and_counts_it()
    {
        // x+1 against 1+x needs the symbolic check, which spends work; one unit is not enough, a million is.
        var counter = new GradeTimeoutCounter();
        var starved = new PaperGrader(GradeOptions.Default with { TimeLimit = TimeSpan.FromHours(1), WorkLimit = 1, Timeouts = counter });
        for (var i = 0; i < 3; i++) Assert.Equal(new GradeResult(false, "1+x", true), starved.Grade(@"\boxed{1+x}", "x+1"));
        Assert.Equal((3L, 0L), counter.Take());   // three by work, none by the clock
        Assert.Equal((0L, 0L), counter.Take());   // taken: reset
        var ample = new PaperGrader(GradeOptions.Default with { WorkLimit = 1_000_000, Timeouts = counter });
        Assert.Equal(new GradeResult(true, "1+x", false), ample.Grade(@"\boxed{1+x}", "x+1"));
        Assert.Equal((0L, 0L), counter.Take());
    }
}
