using Rlvr.Grading.Paper;

namespace Rlvr.Grading.Tests;

/// <summary>
/// The PRM800K side of the paper grader, worked out by hand from research/upstream.md §1.4 (the rule list)
/// and pylatexenc's default macro table (\frac → a/b with no parentheses, \sqrt → √(x)).
/// </summary>
public sealed class PaperGradeAnswerTests
{
    [Theory]
    [InlineData(@"\frac{1}{2}", "1/2")]
    [InlineData(@"\frac{1}{x+1}", "1/x+1")]              // pylatexenc adds no parentheses
    [InlineData(@"3\frac{1}{2}", "3+1/2")]               // " \frac" injection, then the mixed-number rule
    [InlineData(@"\sqrt{3}", "sqrt(3)")]
    [InlineData(@"\sqrt[3]{2}", "∛(2)")]
    [InlineData(@"2\pi", "2pi")]
    [InlineData(@"2 \cdot 3", "2*3")]
    [InlineData(@"\text{Evelyn}", "evelyn")]             // enclosing \text{} dropped, lower-cased
    [InlineData("025", "25")]
    [InlineData("142.0", "142")]
    [InlineData("1,000", "1000")]
    [InlineData(@"\$5", "5")]
    [InlineData(@"10\%", "10")]
    [InlineData("5 million", "5*10^6")]
    [InlineData(@"10 \text{ cm}", "10")]                 // unit word, then an empty \text{}
    [InlineData("3 feet", "3")]
    [InlineData(@"90^\circ", "90")]
    [InlineData("- 5", "-5")]
    [InlineData("{7}", "7")]
    [InlineData("1 or 2", "1,2")]
    [InlineData(@"x \in [1, 2)", "x∈[1,2)")]
    public void Normalizes_as_prm800k(string input, string expected)
    {
        Assert.Equal(expected, Prm800kNormalizer.Normalize(input));
    }

    [Theory]
    [InlineData("  \\text{ 5 }  ", "5")]                     // enclosing \text{} then strip
    [InlineData(@"\dfrac{1}{2}", @"\frac{1}{2}")]
    [InlineData("0.5", @"\frac{1}{2}")]                       // the one decimal Hendrycks rewrites
    [InlineData("3/4", @"\frac{3}{4}")]
    [InlineData(@"5\text{ cm}", "5")]                         // "\text{ " marks units
    [InlineData(@"1\text{ a}\text{ b}", @"1\text{ a}\text{ b}")] // two unit markers: upstream's assert fails, input returned
    [InlineData("k = 3", "3")]
    [InlineData(@"\sqrt2", @"\sqrt{2}")]
    [InlineData(@"\frac", @"\frac")]                          // "\frac" with nothing after raises upstream: input returned
    [InlineData(@"2 \frac", @"2 \frac")]                      // ... the input itself, spaces and all (not "2\frac")
    [InlineData(@"\frac1 \frac", @"\frac1\frac")]             // a short part earlier returns the stripped string first
    public void Hendrycks_normalizes_as_math_normalize(string input, string expected)
    {
        Assert.Equal(expected, HendrycksNormalizer.Normalize(input));
    }

    [Theory]
    [InlineData("(1,2)", new[] { "1", "2" })]
    [InlineData("[1, 2)", new[] { "1", "2" })]
    [InlineData("(1,(2))", new[] { "(1,(2))" })]             // inner brackets: not a tuple
    [InlineData("1,000,000", new[] { "1000000" })]           // thousands commas go first
    [InlineData("()", new[] { "()" })]                        // too short
    public void Splits_tuples(string input, string[] expected)
    {
        Assert.Equal(expected, Prm800kGradeAnswer.SplitTuple(input));
    }

    [Theory]
    [InlineData("3/4", true)]
    [InlineData("-3/4", true)]
    [InlineData("3/04", true)]
    [InlineData("3/0", false)]
    [InlineData("a/b", false)]
    [InlineData("3", false)]
    public void Recognises_plain_fractions(string input, bool expected)
    {
        Assert.Equal(expected, Prm800kGradeAnswer.IsPlainFraction(input));
    }

    [Theory]
    [InlineData("(x^2)-(y)", true)]
    [InlineData("(x+y)-(z)", false)]       // three distinct letters
    [InlineData("(sqrt(2))-(frac)", true)] // "sqrt" and "frac" do not count as letters
    [InlineData("(2^{3})-(8)", false)]
    [InlineData("(2^(3))-(8)", false)]
    [InlineData("(2^10)-(1024)", false)]   // multi-digit power
    [InlineData("(2^3^2)-(512)", false)]   // stacked powers
    [InlineData("(2^3)-(8)", true)]
    public void Guards_the_symbolic_step_as_upstream(string expression, bool allowed)
    {
        Assert.Equal(allowed, Prm800kGradeAnswer.ShouldAllowEval(expression));
    }
}
