using Rlvr.Grading.Verify;

namespace Rlvr.Grading.Tests;

/// <summary>Hand-checked verdicts of the verify grader: the Math-Verify column of the behaviour probe in
/// shared/research/graders.md §6.1, and the answer forms the issue lists.</summary>
public class VerifyGraderTests
{
    private static readonly VerifyGrader Grader = new(VerdictOptions.Generous);

    [Theory]
    // graders.md §6.1 probe, Math-Verify column (✔).
    [InlineData("\\left( 3, \\frac{\\pi}{2} \\right)", "$\\boxed{(3,\\frac{\\pi}{2})}$")]
    [InlineData("025", "\\boxed{25}")]
    [InlineData("142.0", "\\boxed{142}")]
    [InlineData("90^\\circ", "\\boxed{90}")]
    [InlineData("\\frac{14}{3}", "\\boxed{14/3}")]
    [InlineData("\\frac{1}{2}", "\\boxed{0.5}")]
    [InlineData("3\\sqrt{13}", "\\boxed{\\sqrt{117}}")]
    [InlineData("10\\%", "\\boxed{0.1}")]
    [InlineData("42", "The answer is 42.")]
    [InlineData("2220", "\\boxed{2,220}")]
    [InlineData("3", "\\boxed{x=3}")]
    [InlineData("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\boxed{\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}}")]
    [InlineData("1,2", "\\boxed{2,1}")]
    [InlineData("1.5\\times10^{3}", "\\boxed{1500}")]
    [InlineData("5\\text{ cm}", "\\boxed{5}")]
    // \fbox is read too (Math-Verify's extraction misses it; Hendrycks' does not).
    [InlineData("5", "so \\fbox{5}")]
    // Forms the issue names.
    [InlineData("1000000", "$\\boxed{1\\,000\\,000}$")]
    [InlineData("0.00012", "\\boxed{1.2 \\times 10^{-4}}")]
    [InlineData("0.00012", "\\boxed{1.2e-4}")]
    [InlineData("\\frac{\\sqrt{3}}{3}", "\\boxed{\\frac{1}{\\sqrt{3}}}")]
    [InlineData("\\sqrt[3]{8}", "\\boxed{2}")]
    [InlineData("2\\pi", "\\boxed{\\pi + \\pi}")]
    [InlineData("e^{2}", "\\boxed{\\exp(2)}")]
    [InlineData("6 - 5i", "\\boxed{(2 - i)(3 - i) + 1 + 0i}")]
    [InlineData("\\sin^2 x + \\cos^2 x", "\\boxed{1}")]
    [InlineData("\\ln 8", "\\boxed{3\\ln 2}")]
    [InlineData("\\log_2 8", "\\boxed{3}")]
    [InlineData("120", "\\boxed{5!}")]
    [InlineData("\\$18.90", "\\boxed{18.9}")]
    [InlineData("(-\\infty, 0]", "\\boxed{(-\\infty,0]}")]
    [InlineData("(0,9) \\cup (9,36)", "\\boxed{(9,36)\\cup(0,9)}")]
    [InlineData("\\{1\\pm\\sqrt{5},-2\\}", "\\boxed{-2, 1-\\sqrt5, 1+\\sqrt5}")]
    [InlineData("x \\in [-2,7]", "\\boxed{[-2,7]}")]
    [InlineData("y = 2x + 3", "\\boxed{y=3+2x}")]
    [InlineData("x > 5", "\\boxed{(5, \\infty)}")]
    [InlineData("1\\le|z|\\le \\frac{3}{2}", "\\boxed{[-\\frac{3}{2}, -1] \\cup [1, \\frac{3}{2}]}")]
    [InlineData("3, 5, 7", "\\boxed{7 \\text{ and } 5 \\text{ and } 3}")]
    [InlineData("3, 5, 7", "$\\boxed{3}$, $\\boxed{5}$, $\\boxed{7}$")]
    [InlineData("\\text{(C)}", "The answer is \\boxed{C}")]
    [InlineData("\\text{(B)}", "The answer is (B).")]
    [InlineData("C", "The answer is $\\textbf{(C)}$")]
    [InlineData("\\text{Evelyn}", "\\boxed{\\text{evelyn}}")]
    [InlineData("137 \\frac{1}{2}", "\\boxed{137.5}")]
    [InlineData("52_8", "\\boxed{42}")]
    [InlineData("67.\\overline{3}", "\\boxed{\\frac{202}{3}}")]
    [InlineData("0.1\\overline{6}", "\\boxed{\\frac{1}{6}}")]
    [InlineData("8,12", "\\boxed{8, 12}")]
    [InlineData("8,12", "8.12")]
    [InlineData("Bob", "\\boxed{\\text{Bob}}")]
    [InlineData("9 and -7", "\\boxed{-7, 9}")]
    [InlineData("3 \\mid a_0", "\\boxed{3 \\mid a_0}")]
    [InlineData("x^5 - x^4 + x^3 - x^2 + x - 1", "\\boxed{(x-1)(x^4+x^2+1)}")]
    [InlineData("\\frac{11+9a}{20}", "\\boxed{\\frac{9a+11}{20}}")]
    [InlineData("\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}", "\\boxed{-\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}}")]
    public void Equivalent(string gold, string response)
    {
        var result = Grader.Grade(response, gold);
        Assert.True(result.Correct, $"{gold} vs {response}: {result}");
        Assert.False(result.TimedOut);
    }

    [Theory]
    // graders.md §6.1 probe, Math-Verify column (✘).
    [InlineData("\\frac{14}{3}", "\\boxed{4.6667}")]
    [InlineData("10\\%", "\\boxed{10}")]
    [InlineData("[-2,7]", "\\boxed{(-2, 7)}")]
    [InlineData("5", "no box, final 5 then 6")]
    [InlineData("2\\pi", "\\boxed{6.2832}")]
    // Near misses.
    [InlineData("\\frac{1}{3}", "\\boxed{0.333}")]
    [InlineData("3\\sqrt{13}", "\\boxed{\\sqrt{118}}")]
    [InlineData("(1,2)", "\\boxed{(2,1)}")]
    [InlineData("(3,4]", "\\boxed{(3,4)}")]
    [InlineData("x \\ge 5", "\\boxed{x > 5}")]
    [InlineData("x \\le 5", "\\boxed{x \\ge 5}")]
    [InlineData("1 \\pm \\sqrt{19}", "\\boxed{1 + \\sqrt{19}}")]
    [InlineData("3, 5, 7", "\\boxed{3, 5}")]
    [InlineData("\\text{(C)}", "The answer is \\boxed{D}")]
    [InlineData("\\text{even}", "\\boxed{\\text{odd}}")]
    [InlineData("x^2", "\\boxed{y^2}")]
    [InlineData("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\boxed{\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}}")]
    [InlineData("52_8", "\\boxed{52}")]
    [InlineData("32349", "\\boxed{32, 349}")]
    [InlineData("67.\\overline{3}", "\\boxed{67.3}")]
    [InlineData("Bob", "\\boxed{\\text{Alice}}")]
    [InlineData("5", "")]
    [InlineData("5", "no number here")]
    [InlineData("A", "The answer is A number of ways")]
    public void NotEquivalent(string gold, string response) => Assert.False(Grader.Grade(response, gold).Correct, $"{gold} vs {response}");

    [Fact]
    public void FloatRoundingDecidesHowCloseAFloatMustBe()
    {
        Assert.False(new VerifyGrader(VerdictOptions.Generous).Grade("\\boxed{0.3333}", "\\frac{1}{3}").Correct);
        Assert.True(new VerifyGrader(VerdictOptions.Generous with { FloatRounding = 4 }).Grade("\\boxed{0.3333}", "\\frac{1}{3}").Correct);
        Assert.True(new VerifyGrader(VerdictOptions.Generous with { FloatRounding = 2 }).Grade("\\boxed{2.6667}", "\\frac{8}{3}").Correct);
    }

    [Fact]
    public void StrictModeKeepsVariableNames()
    {
        Assert.False(new VerifyGrader(VerdictOptions.Generous).Grade("\\boxed{f(y)}", "f(x)").Correct);
        Assert.True(new VerifyGrader(VerdictOptions.Generous with { Strict = false }).Grade("\\boxed{f(y)}", "f(x)").Correct);
    }

    [Fact]
    public void SetRelationComparisonIsAsymmetricUnlessAllowed()
    {
        // A gold inequality always matches its interval; a predicted inequality matches a gold interval only when allowed.
        Assert.True(new VerifyGrader(VerdictOptions.Generous).Grade("\\boxed{[-2, 7]}", "-2 \\le x \\le 7").Correct);
        Assert.False(new VerifyGrader(VerdictOptions.Generous).Grade("\\boxed{-2 \\le x \\le 7}", "[-2, 7]").Correct);
        Assert.True(new VerifyGrader(VerdictOptions.Generous with { AllowSetRelationComparison = true }).Grade("\\boxed{-2 \\le x \\le 7}", "[-2, 7]").Correct);
    }

    [Fact]
    public void ReasoningDelimiterRestrictsTheGradedText()
    {
        var grader = new VerifyGrader(VerdictOptions.Generous with { ReasoningDelimiters = ["</think>"] });
        Assert.True(grader.Grade("<think>maybe \\boxed{4}</think> so \\boxed{5}", "5").Correct);
        Assert.False(grader.Grade("<think>it is \\boxed{5}</think> done", "5").Correct);
        Assert.False(grader.Grade("no delimiter \\boxed{5}", "5").Correct);
    }

    [Theory]
    [InlineData("Thus the answer is $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}")]
    [InlineData("so we get \\boxed{1} and \\boxed{2}", "1 , 2")]
    [InlineData("The final answer is $x = 3$. I hope it is correct.", "x = 3")]
    [InlineData("We find $a = 2$ and then $b = 7$.", "b = 7")]
    [InlineData("It costs 1,234.5 dollars", "1234.5")]
    [InlineData("about 28 percent", "28\\%")]
    [InlineData("\\fbox{7}", "7")]
    [InlineData("nothing to see", null)]
    public void ExtractsTheFinalAnswer(string response, string? expected) => Assert.Equal(expected, Grader.Extract(response));

    [Fact]
    public void AnswersEquivalentComparesExtractedAnswers()
    {
        Assert.True(Grader.AnswersEquivalent("\\frac{1}{2}", "0.5"));
        Assert.True(Grader.AnswersEquivalent("\\{1, 2\\}", "2, 1"));
        Assert.False(Grader.AnswersEquivalent("\\frac{1}{2}", "\\frac{1}{3}"));
    }
}
