using Rlvr.Tests;

namespace Rlvr.Grading.Tests;

/// <summary>
/// <see cref="GradeOptions.Reproducible"/>, the bounds evaluation, labelling and training rewards grade with: on a
/// machine so slow that every look at the clock finds 300 ms gone, the verdicts are those of an unhurried machine,
/// where <see cref="GradeOptions.Default"/>'s 250 ms wall-clock bound turns a correct answer into a timeout.
/// </summary>
public class ReproducibleGradeOptionsTests
{
    // Answers that need the symbolic check or several normalisation passes, and some that are wrong.
    public static TheoryData<GraderMode, string, string> Pairs()
    {
        var data = new TheoryData<GraderMode, string, string>();
        foreach (var mode in new[] { GraderMode.Paper, GraderMode.Verify })
        {
            data.Add(mode, @"The answer is \boxed{1+x}.", "x+1");
            data.Add(mode, @"\boxed{\frac{1}{2}}", "0.5");
            data.Add(mode, @"\boxed{2\sqrt{2}}", @"\sqrt{8}");
            data.Add(mode, @"\boxed{(x+1)^2}", "x^2+2x+1");
            data.Add(mode, @"\boxed{3}", "4");
            data.Add(mode, @"\boxed{x^2}", "x^3");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_slow_machine_gives_the_verdicts_of_a_fast_one(GraderMode mode, string response, string gold)
    {
        var unhurried = Graders.Create(mode, GradeOptions.Reproducible).Grade(response, gold);
        var slow = new SlowClock(TimeSpan.FromMilliseconds(300));
        var slowed = Graders.Create(mode, GradeOptions.Reproducible with { Clock = slow }).Grade(response, gold);
        Assert.False(unhurried.TimedOut);
        Assert.False(slowed.TimedOut, $"{mode}: timed out on the slow clock after {slow.Reads} reads");
        Assert.Equal(unhurried.Correct, slowed.Correct);
    }

    [Fact]
    public void The_wall_clock_default_times_out_on_the_same_slow_machine()
    {
        // What Reproducible exists for: the same correct answer, graded with the 250 ms wall-clock bound.
        var slowed = Graders.Create(GraderMode.Paper, GradeOptions.Default with { Clock = new SlowClock(TimeSpan.FromMilliseconds(300)) })
            .Grade(@"The answer is \boxed{1+x}.", "x+1");
        Assert.True(slowed.TimedOut);
        Assert.False(slowed.Correct);
    }
}
