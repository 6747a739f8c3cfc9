namespace Rlvr.Grading.Symbolic;

/// <summary>Searches of the arithmetic part of an expression tree.</summary>
public static class ExprSearch
{
    /// <summary>
    /// Whether <paramref name="e"/> or a node below it through arithmetic (sums, products, quotients,
    /// negation, powers, function arguments) matches <paramref name="match"/>; a matching node is not searched further.
    /// </summary>
    public static bool AnyInArithmetic(Expr e, Func<Expr, bool> match) => match(e) || e switch
    {
        AddExpr add => AnyOf(add.Terms, match),
        MulExpr mul => AnyOf(mul.Factors, match),
        DivExpr div => AnyInArithmetic(div.Numerator, match) || AnyInArithmetic(div.Denominator, match),
        NegExpr neg => AnyInArithmetic(neg.Operand, match),
        PowExpr pow => AnyInArithmetic(pow.Base, match) || AnyInArithmetic(pow.Exponent, match),
        FuncExpr f => AnyOf(f.Args, match),
        _ => false,
    };

    // A loop rather than LINQ: graders call this per comparison, and a capturing lambda per node allocates.
    private static bool AnyOf(IReadOnlyList<Expr> children, Func<Expr, bool> match)
    {
        foreach (var child in children)
            if (AnyInArithmetic(child, match)) return true;
        return false;
    }
}
