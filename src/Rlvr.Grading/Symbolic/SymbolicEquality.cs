namespace Rlvr.Grading.Symbolic;

/// <summary>
/// The PRM800K / DeepScaleR step "sympy.simplify(parse_expr(first) - parse_expr(second)) == 0" without sympy:
/// both strings are read as sympy-style plain text (`**` or `^`, sqrt(2), pi, implicit products, E and I
/// as constants) and their difference is tested for zero, exactly over rationals where possible, else by
/// evaluation at fixed sample points (<see cref="ScalarEquivalence"/>).
/// </summary>
public static class SymbolicEquality
{
    /// <summary>Longest input looked at; the PRM800K step only ever sees short normalised answers.</summary>
    public const int MaxInputChars = 2_000;

    /// <summary>True when <paramref name="first"/> - <paramref name="second"/> is zero as sympy would judge it.
    /// False when either side does not parse, is not a scalar, or the budget or a size limit runs out
    /// (the caller may check <see cref="GradeBudget.Expired"/> to count a timeout). Never throws.</summary>
    public static bool AreEqual(string first, string second, GradeBudget budget)
    {
        try
        {
            if (first.Length > MaxInputChars || second.Length > MaxInputChars) return false;
            var a = MathParser.TryParse(first, MathSyntax.Plain, budget);
            if (a == null) return false;
            var b = MathParser.TryParse(second, MathSyntax.Plain, budget);
            if (b == null) return false;
            if (!ScalarEquivalence.IsScalar(a) || !ScalarEquivalence.IsScalar(b)) return false;
            return ScalarEquivalence.AreEqual(a, b, null, budget) == true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Budget, size limits, unreadable input, or a bug of ours: "not equal", as sympy's failures are upstream.
            return false;
        }
    }
}
