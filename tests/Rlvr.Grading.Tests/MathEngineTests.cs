using System.Numerics;
using Rlvr.Grading.Symbolic;

namespace Rlvr.Grading.Tests;

/// <summary>The parser, exact arithmetic and numeric evaluation on hand-computed values.</summary>
public class MathEngineTests
{
    private static BigRational R(long n, long d = 1) => BigRational.Create(n, d);

    private static BigRational Exact(string latex, MathSyntax syntax = MathSyntax.Latex)
    {
        var e = MathParser.Parse(latex, syntax, null);
        return Evaluator.TryExact(e, null, out _) ?? throw new Xunit.Sdk.XunitException($"{latex} is not exact: {e}");
    }

    private static Complex Numeric(string latex, MathSyntax syntax = MathSyntax.Latex) =>
        Evaluator.Numeric(MathParser.Parse(latex, syntax, null), _ => double.NaN, null);

    [Fact]
    public void RationalArithmetic()
    {
        Assert.Equal(R(5, 6), R(1, 2) + R(1, 3));
        Assert.Equal(R(-1, 6), R(1, 3) - R(1, 2));
        Assert.Equal(R(1, 3), R(2, 4) * R(2, 3));
        Assert.Equal(R(9, 4), R(2, 3).Pow(-2));
        Assert.Equal(R(3, 2000), BigRational.ParseDecimal("1.5e-3"));
        Assert.Equal(R(1, 2), BigRational.ParseDecimal(".5"));
        Assert.Equal(R(67, 100), R(2, 3).Round(2));
        Assert.Equal(R(-67, 100), R(-2, 3).Round(2));
        Assert.Equal(R(1), R(-1).Pow(BigInteger.Parse("1000000000000")));
        Assert.Throws<MathLimitException>(() => R(10).Pow(BigInteger.Parse("10000000000")));
        Assert.Throws<DivideByZeroException>(() => R(1) / R(0));
    }

    [Theory]
    [InlineData("\\frac{3}{4} + \\frac{1}{4}", 1, 1)]
    [InlineData("\\dfrac{1}{2}", 1, 2)]
    [InlineData("\\frac12", 1, 2)]
    [InlineData("\\frac 59", 5, 9)]
    [InlineData("2^{10}", 1024, 1)]
    [InlineData("2^{-1}", 1, 2)]
    [InlineData("-2^2", -4, 1)]
    [InlineData("(-2)^3", -8, 1)]
    [InlineData("\\sqrt[3]{27}", 3, 1)]
    [InlineData("\\sqrt{\\frac{4}{9}}", 2, 3)]
    [InlineData("5!", 120, 1)]
    [InlineData("\\binom{5}{2}", 10, 1)]
    [InlineData("1,234", 1234, 1)]
    [InlineData("7,425,000", 7425000, 1)]
    [InlineData("14{,}916", 14916, 1)]
    [InlineData("11,\\! 111", 11111, 1)]
    [InlineData("3\\%", 3, 100)]
    [InlineData("204_5", 54, 1)]
    [InlineData("7\\frac{3}{4}", 31, 4)]
    [InlineData("1.5 \\times 10^{3}", 1500, 1)]
    [InlineData("2 \\cdot 3 \\div 4", 3, 2)]
    [InlineData("|{-3}|", 3, 1)]
    [InlineData("\\lfloor 2.5 \\rfloor", 2, 1)]
    [InlineData("\\left( \\frac{1}{3} \\right)", 1, 3)]
    [InlineData("90^\\circ", 90, 1)]
    [InlineData("90^{\\circ}", 90, 1)]
    [InlineData("\\$18.90", 189, 10)]
    [InlineData("\\frac{10}{9}", 10, 9)]
    [InlineData("67.\\overline{3}", 202, 3)]
    [InlineData("0.1\\overline{6}", 1, 6)]
    [InlineData("\\binom{2014}{2}", 2027091, 1)]
    public void ExactValues(string latex, long numerator, long denominator) => Assert.Equal(R(numerator, denominator), Exact(latex));

    [Theory]
    [InlineData("2**3", 8, 1)]
    [InlineData("2^3^2", 512, 1)]
    [InlineData("sqrt(16)", 4, 1)]
    [InlineData("1/2 + 1/3", 5, 6)]
    [InlineData("(1/2)*(4/3)", 2, 3)]
    [InlineData("7+3/4", 31, 4)]
    [InlineData("10**(-2)", 1, 100)]
    public void PlainTextExactValues(string text, long numerator, long denominator) =>
        Assert.Equal(R(numerator, denominator), Exact(text, MathSyntax.Plain));

    [Theory]
    [InlineData("\\sin(\\pi/6)", 0.5, 0)]
    [InlineData("\\cos \\pi", -1, 0)]
    [InlineData("e^{i\\pi}", -1, 0)]
    [InlineData("\\log_2 8", 3, 0)]
    [InlineData("\\ln e^2", 2, 0)]
    [InlineData("\\sqrt[3]{-8}", -2, 0)]
    [InlineData("i^2", -1, 0)]
    [InlineData("\\sqrt{12}\\sqrt{3}", 6, 0)]
    [InlineData("\\sqrt{-4}", 0, 2)]
    [InlineData("\\tan^2(\\pi/4) + 1", 2, 0)]
    [InlineData("\\sum_{k=1}^{4} k^2", 30, 0)]
    [InlineData("\\prod_{k=1}^{4} k", 24, 0)]
    public void NumericValues(string latex, double real, double imaginary)
    {
        var v = Numeric(latex);
        Assert.Equal(real, v.Real, 9);
        Assert.Equal(imaginary, v.Imaginary, 9);
    }

    [Fact]
    public void PlainSyntaxFollowsSympyNames()
    {
        Assert.Equal(Math.E, Numeric("E", MathSyntax.Plain).Real, 12);
        Assert.Equal(-1, Numeric("I**2", MathSyntax.Plain).Real, 12);
        Assert.Equal(Math.PI, Numeric("pi", MathSyntax.Plain).Real, 12);
        Assert.IsType<SymbolExpr>(MathParser.Parse("e", MathSyntax.Plain, null));
        Assert.IsType<ConstantExpr>(MathParser.Parse("e", MathSyntax.Latex, null));
    }

    [Fact]
    public void StructuresKeepTheirShape()
    {
        var interval = Assert.IsType<IntervalExpr>(MathParser.Parse("[0,1)", MathSyntax.Latex, null));
        Assert.True(interval.LowerClosed);
        Assert.False(interval.UpperClosed);
        Assert.IsType<TupleExpr>(MathParser.Parse("(0,1)", MathSyntax.Latex, null));
        Assert.Equal(3, Assert.IsType<TupleExpr>(MathParser.Parse("(6,31,-1)", MathSyntax.Latex, null)).Items.Length);
        Assert.Equal(2, Assert.IsType<SetExpr>(MathParser.Parse("\\{1, 2\\}", MathSyntax.Latex, null)).Items.Length);
        Assert.Equal(2, Assert.IsType<SetExpr>(MathParser.Parse("6 \\text{ and } 8", MathSyntax.Latex, null)).Items.Length);
        Assert.Equal(RelationKind.LessEqual, Assert.IsType<RelationExpr>(MathParser.Parse("x \\le 3", MathSyntax.Latex, null)).Kinds[0]);
        Assert.Equal(2, Assert.IsType<RelationExpr>(MathParser.Parse("-2 < x \\leq 7", MathSyntax.Latex, null)).Kinds.Length);
        Assert.IsType<PlusMinusExpr>(MathParser.Parse("1 \\pm \\sqrt{2}", MathSyntax.Latex, null));
        var matrix = Assert.IsType<MatrixExpr>(MathParser.Parse("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", MathSyntax.Latex, null));
        Assert.Equal(2, matrix.Rows.Length);
        Assert.Equal(2, matrix.Rows[1].Length);
        Assert.Equal(2, Assert.IsType<UnionExpr>(MathParser.Parse("(1,2) \\cup [3,4]", MathSyntax.Latex, null)).Parts.Length);
        // x \in S is the set S.
        Assert.IsType<IntervalExpr>(MathParser.Parse("x \\in [-2,7]", MathSyntax.Latex, null));
        // x^23 in LaTeX is x^2 times 3.
        Assert.IsType<MulExpr>(MathParser.Parse("x^23", MathSyntax.Latex, null));
    }

    [Fact]
    public void LimitsEndInMathLimitException()
    {
        Assert.Throws<MathLimitException>(() => MathParser.Parse(new string('(', 500) + "1" + new string(')', 500), MathSyntax.Latex, null));
        var tower = MathParser.Parse("10^{10^{10^{10}}}", MathSyntax.Latex, null);
        Assert.Throws<MathLimitException>(() => Evaluator.TryExact(tower, null, out _));
        var factorial = MathParser.Parse("(10^9)!", MathSyntax.Latex, null);
        Assert.Throws<MathLimitException>(() => Evaluator.TryExact(factorial, null, out _));
    }

    [Theory]
    [InlineData("\\frac{1}{2}", "0.5", 6, true)]
    [InlineData("\\frac{1}{3}", "0.333333", 6, true)]
    [InlineData("\\frac{1}{3}", "0.3333", 6, false)]
    [InlineData("\\frac{1}{3}", "0.3333", 4, true)]
    [InlineData("\\sqrt{17}", "4.123105625617661", 5, true)]
    [InlineData("\\frac{2}{4}", "\\frac{1}{2}", 6, true)]
    [InlineData("x+1", "1+x", 6, true)]
    [InlineData("(x+1)^2", "x^2+2x+1", 6, true)]
    [InlineData("(x+1)^2", "x^2+1", 6, false)]
    [InlineData("\\tan^2 y + 1", "\\sec^2 y", 6, true)]
    public void ScalarEquivalenceOnHandCheckedPairs(string a, string b, int rounding, bool equal)
    {
        var ea = MathParser.Parse(a, MathSyntax.Latex, null);
        var eb = MathParser.Parse(b, MathSyntax.Latex, null);
        Assert.Equal(equal, ScalarEquivalence.AreEqual(ea, eb, rounding, null) == true);
    }
}
