using System.Numerics;

namespace Rlvr.Grading.Symbolic;

/// <summary>
/// Whether two scalar expressions are equal: exactly over rationals when both evaluate exactly, otherwise by
/// evaluation at <see cref="SamplePoints"/> fixed pseudo-random points (every free symbol gets a value derived
/// from its name and the point index, so the verdict is deterministic) with a relative tolerance.
/// </summary>
public static class ScalarEquivalence
{
    /// <summary>How many sample points expressions with free symbols are evaluated at.</summary>
    public const int SamplePoints = 6;

    /// <summary>Relative tolerance of a numeric comparison (values of exact expressions agree to ~1e-15).</summary>
    public const double RelativeTolerance = 1e-9;

    /// <summary>
    /// Compares two scalars. <paramref name="floatRounding"/>: when not null and either side holds a decimal literal,
    /// both are rounded to that many decimals first (Math-Verify's float_rounding); null compares exactly.
    /// Returns null when neither an exact nor a numeric verdict could be reached (nothing evaluates).
    /// </summary>
    /// <remarks><paramref name="renamesOfB"/> renames free symbols of <paramref name="b"/> only (Math-Verify's non-strict mode).</remarks>
    public static bool? AreEqual(Expr a, Expr b, int? floatRounding, GradeBudget? budget, IReadOnlyDictionary<string, string>? renamesOfB = null)
    {
        var ea = Evaluator.TryExact(a, budget, out var floatA);
        var eb = Evaluator.TryExact(b, budget, out var floatB);
        var rounding = (floatA || floatB) ? floatRounding : null;
        if (ea is { } x && eb is { } y)
        {
            if (rounding is { } r) return x.Round(r).Equals(y.Round(r));
            return x.Equals(y);
        }
        if (!floatA && !floatB) { floatA = HasFloat(a); floatB = HasFloat(b); rounding = (floatA || floatB) ? floatRounding : null; }

        var symbols = new HashSet<string>(StringComparer.Ordinal);
        CollectSymbols(a, symbols);
        CollectSymbols(b, symbols);
        if (symbols.Count == 0) return NumericallyEqual(a, b, rounding, 1, budget, renamesOfB);
        return ExactlyEqualAtRationalPoints(a, b, rounding, budget, renamesOfB) ?? NumericallyEqual(a, b, rounding, SamplePoints, budget, renamesOfB);
    }

    /// <summary>Polynomials and rational functions: evaluated exactly at rational sample points, so no tolerance is
    /// involved (x + 10^20 differs from x + 10^20 + 1). Null when either side is not rational-valued there.</summary>
    private static bool? ExactlyEqualAtRationalPoints(Expr a, Expr b, int? rounding, GradeBudget? budget, IReadOnlyDictionary<string, string>? renamesOfB)
    {
        try
        {
            for (var point = 0; point < SamplePoints; point++)
            {
                budget?.ThrowIfExpired();
                var k = point;
                var va = Evaluator.TryExactAt(a, name => RationalSampleValue(name, k), budget, out _);
                if (va == null) return null;
                var vb = Evaluator.TryExactAt(b, name => RationalSampleValue(renamesOfB != null && renamesOfB.TryGetValue(name, out var r) ? r : name, k), budget, out _);
                if (vb == null) return null;
                var equal = rounding is { } digits ? va.Value.Round(digits).Equals(vb.Value.Round(digits)) : va.Value.Equals(vb.Value);
                if (!equal) return false;
            }
            return true;
        }
        catch (MathLimitException)
        {
            // x^{10000} at a rational point is too big to keep exact: the numeric comparison decides.
            return null;
        }
    }

    /// <summary>A rational sample value fixed by (name, point): ±p/q with p in 1..97, q in 1..13 (signs as <see cref="SampleValue"/>).</summary>
    public static BigRational RationalSampleValue(string name, int point)
    {
        var h = Evaluator.Mix(Evaluator.StableHash(name) * 131 + point * 104729 + 7);
        var numerator = 1 + (h & 0x7FFF) % 97;
        var denominator = 1 + ((h >> 16) & 0x7FFF) % 13;
        var negative = point == 2 || (point >= 3 && ((h >> 40) & 1) == 1);
        return BigRational.Create(negative ? -numerator : numerator, denominator);
    }

    private static bool? NumericallyEqual(Expr a, Expr b, int? rounding, int points, GradeBudget? budget, IReadOnlyDictionary<string, string>? renamesOfB)
    {
        var compared = 0;
        for (var k = 0; k < points; k++)
        {
            budget?.ThrowIfExpired();
            var point = k;
            var va = ValueAt(a, point, null, budget);
            var vb = ValueAt(b, point, renamesOfB, budget);
            if (IsBad(va) || IsBad(vb))
            {
                if (IsBad(va) != IsBad(vb) && !IsNaN(va) && !IsNaN(vb)) return false;
                if (IsInfinite(va) && IsInfinite(vb) && Math.Sign(va.Real) == Math.Sign(vb.Real)) { compared++; continue; }
                continue;
            }
            if (!Close(va, vb, rounding)) return false;
            compared++;
        }
        return compared > 0 ? true : null;
    }

    /// <summary>The value of <paramref name="e"/> at sample point <paramref name="point"/>.</summary>
    public static Complex ValueAt(Expr e, int point, IReadOnlyDictionary<string, string>? renames, GradeBudget? budget) =>
        Evaluator.Numeric(e, name => SampleValue(renames != null && renames.TryGetValue(name, out var r) ? r : name, point), budget);

    public static bool IsNaN(Complex z) => double.IsNaN(z.Real) || double.IsNaN(z.Imaginary);
    public static bool IsInfinite(Complex z) => double.IsInfinity(z.Real) || double.IsInfinity(z.Imaginary);
    public static bool IsBad(Complex z) => IsNaN(z) || IsInfinite(z);

    private static bool Close(Complex a, Complex b, int? rounding)
    {
        if (rounding is { } r)
        {
            var digits = Math.Clamp(r, 0, 15);
            var scale = Math.Max(Math.Abs(a.Real), Math.Abs(b.Real));
            if (scale < 1e9)
            {
                return Math.Round(a.Real, digits, MidpointRounding.AwayFromZero) == Math.Round(b.Real, digits, MidpointRounding.AwayFromZero)
                    && Math.Round(a.Imaginary, digits, MidpointRounding.AwayFromZero) == Math.Round(b.Imaginary, digits, MidpointRounding.AwayFromZero)
                    || Complex.Abs(a - b) <= 1e-12 * Math.Max(1, scale);
            }
        }
        var size = Math.Max(1.0, Math.Max(Complex.Abs(a), Complex.Abs(b)));
        return Complex.Abs(a - b) <= RelativeTolerance * size;
    }

    /// <summary>The value a free symbol takes at a sample point: fixed by (name, point), in ±[0.25, 2.25]
    /// (points 0 and 1 positive, point 2 negative, later points either sign).</summary>
    public static Complex SampleValue(string name, int point)
    {
        var h = Evaluator.Mix(Evaluator.StableHash(name) * 31 + point * 7919 + 17);
        var magnitude = 0.25 + (h & 0xFFFFF) / (double)0x100000 * 2.0;
        var negative = point == 2 || (point >= 3 && ((h >> 24) & 1) == 1);
        return negative ? -magnitude : magnitude;
    }

    public static void CollectSymbols(Expr e, HashSet<string> into)
    {
        switch (e)
        {
            case SymbolExpr s: into.Add(s.Name); break;
            case IndexedExpr ix: into.Add(ix.Name); CollectSymbols(ix.Index, into); break;
            case AddExpr add: foreach (var t in add.Terms) CollectSymbols(t, into); break;
            case MulExpr mul: foreach (var f in mul.Factors) CollectSymbols(f, into); break;
            case DivExpr div: CollectSymbols(div.Numerator, into); CollectSymbols(div.Denominator, into); break;
            case NegExpr neg: CollectSymbols(neg.Operand, into); break;
            case PowExpr pow: CollectSymbols(pow.Base, into); CollectSymbols(pow.Exponent, into); break;
            case FuncExpr f: foreach (var x in f.Args) CollectSymbols(x, into); break;
            case SumExpr s: CollectSymbols(s.Lower, into); CollectSymbols(s.Upper, into); CollectSymbols(s.Body, into); break;
            case PlusMinusExpr pm: if (pm.Left != null) CollectSymbols(pm.Left, into); CollectSymbols(pm.Right, into); break;
        }
    }

    public static bool HasFloat(Expr e) => ExprSearch.AnyInArithmetic(e, n => n is NumberExpr { IsFloat: true });

    /// <summary>Whether an expression is a single number-valued quantity (not a set, tuple, relation, ...).</summary>
    public static bool IsScalar(Expr e) => e is NumberExpr or SymbolExpr or IndexedExpr or ConstantExpr or AddExpr or MulExpr
        or DivExpr or NegExpr or PowExpr or FuncExpr or SumExpr;
}
