using Rlvr.Grading;
using Rlvr.Grading.Symbolic;

namespace Rlvr.Grading.Tests;

/// <summary>The sympy "simplify(a - b) == 0" replacement on hand-checked pairs.</summary>
public class SymbolicEqualityTests
{
    private static GradeBudget Budget() => new(TimeSpan.FromSeconds(20));

    [Theory]
    [InlineData("1/2", "0.5")]
    [InlineData("2*x + 3*x", "5*x")]
    [InlineData("(x+1)**2", "x^2 + 2*x + 1")]
    [InlineData("sqrt(8)", "2*sqrt(2)")]
    [InlineData("sqrt(2)*sqrt(3)", "sqrt(6)")]
    [InlineData("2x", "2*x")]
    [InlineData("xy", "y*x")]
    [InlineData("pi/2", "2*pi/4")]
    [InlineData("sin(x)**2 + cos(x)**2", "1")]
    [InlineData("E**2", "exp(2)")]
    [InlineData("I**2", "-1")]
    [InlineData("(a+5)(b+2)", "a*b + 2*a + 5*b + 10")]
    [InlineData("1e3", "1000")]
    [InlineData("7+3/4", "31/4")]
    [InlineData("10**(-2)", "0.01")]
    public void EqualPairs(string a, string b) => Assert.True(SymbolicEquality.AreEqual(a, b, Budget()));

    [Theory]
    [InlineData("1/3", "0.333333")]
    [InlineData("x", "y")]
    [InlineData("(x+1)**2", "x^2 + 1")]
    [InlineData("sqrt(x**2)", "x")]
    [InlineData("2", "3")]
    [InlineData("pi", "3.14159")]
    [InlineData("1,2", "1,2")]
    [InlineData("", "0")]
    [InlineData("2**10000000", "2**10000000")]
    public void UnequalPairs(string a, string b) => Assert.False(SymbolicEquality.AreEqual(a, b, Budget()));
}
