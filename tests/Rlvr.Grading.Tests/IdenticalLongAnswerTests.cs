using Rlvr.Grading.Paper;
using Rlvr.Grading.Verify;

namespace Rlvr.Grading.Tests;

/// <summary>
/// Two identical answers are equal whatever their length: the comparison of the normalised texts comes
/// before any parsing or size limit, so a 10,000-digit number is not lost to the time limit (verify) and a
/// 120,000-digit one not to the input cap (paper). Default options: the 250 ms budget is what failed.
/// </summary>
public class IdenticalLongAnswerTests
{
    private static string Digits(int count, char digit) => new(digit, count);

    [Theory]
    [InlineData(10_000)]
    [InlineData(120_000)]
    public void Verify_grades_an_identical_long_number_correct(int length)
    {
        var number = Digits(length, '7');
        var result = new VerifyGrader().Grade(number, number);
        Assert.True(result.Correct, $"timed out: {result.TimedOut}");
        Assert.False(result.TimedOut);
    }

    [Fact]
    public void An_identical_boxed_10000_digit_number_is_read_as_text_past_the_arithmetics_limits()
    {
        var number = Digits(10_000, '7');
        Assert.True(new VerifyGrader().Grade($"The answer is $\\boxed{{{number}}}$.", number).Correct);
        Assert.True(new PaperGrader().Grade($"so \\boxed{{{number}}}", number).Correct);
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(120_000)]
    public void Paper_grades_an_identical_long_number_correct(int length)
    {
        var number = Digits(length, '3');
        Assert.True(new PaperGrader().Grade(number, number).Correct);
    }

    [Fact]
    public void The_paper_grader_keeps_its_quirk_for_identical_texts_that_are_not_integers()
    {
        // Upstream reads a response without a box by its last number: "\frac12" answers "12", not 1/2.
        Assert.False(new PaperGrader().Grade("\\frac12", "\\frac12").Correct);
    }

    [Fact]
    public void Long_numbers_that_differ_in_one_digit_are_still_different()
    {
        var number = Digits(10_000, '7');
        var other = number[..^1] + "8";
        Assert.False(new VerifyGrader().Grade(other, number).Correct);
        Assert.False(new PaperGrader().Grade(other, number).Correct);
    }
}
