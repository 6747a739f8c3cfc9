using System.Numerics;

namespace Rlvr.Grading.Symbolic;

/// <summary>
/// Evaluates scalar expressions: exactly over <see cref="BigRational"/> when no constant, radical or variable
/// is involved, else numerically over <see cref="Complex"/> with every free symbol set to a value of a sample point.
/// </summary>
public static class Evaluator
{
    private const int MaxFactorial = 1000;
    private const int MaxSumTerms = 2000;

    /// <summary>The exact value of <paramref name="e"/>, or null when it is not a rational number we can compute.
    /// <paramref name="hasFloat"/> reports a decimal literal anywhere inside (Math-Verify then compares rounded).</summary>
    public static BigRational? TryExact(Expr e, GradeBudget? budget, out bool hasFloat) => TryExactAt(e, null, budget, out hasFloat);

    /// <summary>The exact value with each free symbol set to a rational (<paramref name="symbols"/>; null leaves
    /// symbols unknown, and then the value is unknown). Polynomials and rational functions evaluate exactly.</summary>
    public static BigRational? TryExactAt(Expr e, Func<string, BigRational?>? symbols, GradeBudget? budget, out bool hasFloat)
    {
        hasFloat = false;
        try { return Exact(e, budget, ref hasFloat, 0, symbols); }
        catch (DivideByZeroException) { return null; }
    }

    private static BigRational? Exact(Expr e, GradeBudget? budget, ref bool hasFloat, int depth, Func<string, BigRational?>? symbols)
    {
        if (depth > MathParser.MaxDepth * 4) throw new MathLimitException("expression too deep");
        switch (e)
        {
            case NumberExpr n:
                hasFloat |= n.IsFloat;
                return n.Value;
            case SymbolExpr s:
                return symbols?.Invoke(s.Name);
            case NegExpr neg:
                return Exact(neg.Operand, budget, ref hasFloat, depth + 1, symbols) is { } negated ? -negated : null;
            case AddExpr add:
            {
                var sum = BigRational.Zero;
                foreach (var term in add.Terms)
                {
                    budget?.ThrowIfExpired();
                    if (Exact(term, budget, ref hasFloat, depth + 1, symbols) is not { } tv) return null;
                    sum += tv;
                }
                return sum;
            }
            case MulExpr mul:
            {
                var product = BigRational.One;
                foreach (var factor in mul.Factors)
                {
                    budget?.ThrowIfExpired();
                    if (Exact(factor, budget, ref hasFloat, depth + 1, symbols) is not { } fv) return null;
                    product *= fv;
                }
                return product;
            }
            case DivExpr div:
            {
                if (Exact(div.Numerator, budget, ref hasFloat, depth + 1, symbols) is not { } a) return null;
                if (Exact(div.Denominator, budget, ref hasFloat, depth + 1, symbols) is not { } b || b.IsZero) return null;
                return a / b;
            }
            case PowExpr pow:
            {
                if (Exact(pow.Base, budget, ref hasFloat, depth + 1, symbols) is not { } b) return null;
                if (Exact(pow.Exponent, budget, ref hasFloat, depth + 1, symbols) is not { } x) return null;
                budget?.ThrowIfExpired();
                if (x.IsInteger)
                {
                    if (b.IsZero && x.Sign < 0) return null;
                    return b.Pow(x.Numerator);
                }
                // Rational exponent p/q: exact only when b is a perfect q-th power.
                if (x.Denominator > 64 || b.Sign < 0) return null;
                var q = (int)x.Denominator;
                if (ExactRoot(b.Numerator, q) is not { } rn || ExactRoot(b.Denominator, q) is not { } rd) return null;
                return BigRational.Create(rn, rd).Pow(x.Numerator);
            }
            case FuncExpr { Name: "factorial" } f:
            {
                if (Exact(f.Args[0], budget, ref hasFloat, depth + 1, symbols) is not { } v || !v.IsInteger || v.Sign < 0) return null;
                if (v.Numerator > MaxFactorial) throw new MathLimitException("factorial too large");
                var result = BigInteger.One;
                for (var k = 2; k <= (int)v.Numerator; k++)
                {
                    result *= k;
                    if ((k & 63) == 0) budget?.ThrowIfExpired();
                }
                return new BigRational(result);
            }
            case FuncExpr { Name: "abs" } f:
            {
                if (Exact(f.Args[0], budget, ref hasFloat, depth + 1, symbols) is not { } v) return null;
                return v.Sign < 0 ? -v : v;
            }
            case FuncExpr { Name: "binom" } f:
            {
                if (Exact(f.Args[0], budget, ref hasFloat, depth + 1, symbols) is not { } nv || Exact(f.Args[1], budget, ref hasFloat, depth + 1, symbols) is not { } kv) return null;
                if (!nv.IsInteger || !kv.IsInteger || kv.Sign < 0 || nv.Sign < 0) return null;
                if (kv.Numerator > nv.Numerator) return BigRational.Zero;
                // C(n, k) = C(n, n-k): the cost is the smaller of k and n-k multiplications.
                if (nv.Numerator > 1_000_000) throw new MathLimitException("binomial too large");
                var nn = (int)nv.Numerator;
                var kk = (int)BigInteger.Min(kv.Numerator, nv.Numerator - kv.Numerator);
                if (kk > MaxFactorial) throw new MathLimitException("binomial too large");
                var r = BigInteger.One;
                for (var j = 1; j <= kk; j++) r = r * (nn - kk + j) / j;
                BigRational.CheckSize(r);
                return new BigRational(r);
            }
            case FuncExpr { Name: "floor" or "ceil" } f:
            {
                if (Exact(f.Args[0], budget, ref hasFloat, depth + 1, symbols) is not { } v) return null;
                var q = BigInteger.Divide(v.Numerator, v.Denominator);
                if (v.Sign < 0 && !v.IsInteger && f.Name == "floor") q -= 1;
                if (v.Sign > 0 && !v.IsInteger && f.Name == "ceil") q += 1;
                return new BigRational(q);
            }
            default:
                return null;
        }
    }

    /// <summary>The exact integer q-th root of a non-negative integer, or null.</summary>
    private static BigInteger? ExactRoot(BigInteger value, int q)
    {
        if (value.Sign < 0) return null;
        if (value.IsZero || value.IsOne) return value;
        var guess = new BigInteger(Math.Round(Math.Exp(BigInteger.Log(value) / q)));
        for (var d = -1; d <= 1; d++)
        {
            var candidate = guess + d;
            if (candidate.Sign > 0 && BigInteger.Pow(candidate, q) == value) return candidate;
        }
        return null;
    }

    /// <summary>The numeric value at a sample point: each free symbol takes the value <paramref name="symbolValue"/> gives it.</summary>
    public static Complex Numeric(Expr e, Func<string, Complex> symbolValue, GradeBudget? budget) => Num(e, symbolValue, budget, 0, null);

    private static Complex Num(Expr e, Func<string, Complex> sym, GradeBudget? budget, int depth, Dictionary<string, Complex>? bound)
    {
        if (depth > MathParser.MaxDepth * 4) throw new MathLimitException("expression too deep");
        switch (e)
        {
            case NumberExpr n: return n.Value.ToDouble();
            case SymbolExpr s:
                if (bound != null && bound.TryGetValue(s.Name, out var b)) return b;
                return sym(s.Name);
            case IndexedExpr ix:
            {
                var index = Num(ix.Index, sym, budget, depth + 1, bound);
                return IndexedValue(ix.Name, index);
            }
            case ConstantExpr c:
                return c.Kind switch
                {
                    ConstantKind.Pi => Math.PI, ConstantKind.E => Math.E, ConstantKind.I => Complex.ImaginaryOne,
                    _ => double.PositiveInfinity,
                };
            case NegExpr neg:
            {
                // -(4 + 0i) must stay on the upper side of the branch cut: sqrt(-4) = 2i, not -2i.
                var v = -Num(neg.Operand, sym, budget, depth + 1, bound);
                return new Complex(v.Real + 0.0, v.Imaginary + 0.0);
            }
            case AddExpr add:
            {
                Complex sum = 0;
                foreach (var t in add.Terms) sum += Num(t, sym, budget, depth + 1, bound);
                return sum;
            }
            case MulExpr mul:
            {
                Complex product = 1;
                foreach (var f in mul.Factors) product *= Num(f, sym, budget, depth + 1, bound);
                return product;
            }
            case DivExpr div:
            {
                var d = Num(div.Denominator, sym, budget, depth + 1, bound);
                if (d == Complex.Zero) return double.NaN;
                return Num(div.Numerator, sym, budget, depth + 1, bound) / d;
            }
            case PowExpr pow:
            {
                var x = Num(pow.Exponent, sym, budget, depth + 1, bound);
                var a = Num(pow.Base, sym, budget, depth + 1, bound);
                return Power(a, x);
            }
            case FuncExpr f: return Function(f, sym, budget, depth, bound);
            case SumExpr s: return Sum(s, sym, budget, depth, bound);
            case PlusMinusExpr: return double.NaN; // expanded before evaluation
            default: return double.NaN;
        }
    }

    private static Complex Power(Complex a, Complex x)
    {
        if (x.Imaginary == 0 && a.Imaginary == 0)
        {
            var xr = x.Real;
            if (Math.Abs(xr - Math.Round(xr)) < 1e-12 && Math.Abs(xr) < 1e6) return Math.Pow(a.Real, Math.Round(xr));
            if (a.Real >= 0) return Math.Pow(a.Real, xr);
            // Odd roots of negative reals stay real, as in LaTeX answers: \sqrt[3]{-8} = -2, (-8)^{2/3} = 4.
            for (var q = 3; q <= 15; q += 2)
            {
                var p = xr * q;
                if (Math.Abs(p - Math.Round(p)) < 1e-9)
                {
                    var magnitude = Math.Pow(-a.Real, xr);
                    return ((long)Math.Round(p) & 1) == 1 ? -magnitude : magnitude;
                }
            }
        }
        if (a == Complex.Zero) return x.Real > 0 ? Complex.Zero : double.NaN;
        return Complex.Pow(a, x);
    }

    private static Complex Function(FuncExpr f, Func<string, Complex> sym, GradeBudget? budget, int depth, Dictionary<string, Complex>? bound)
    {
        var x = Num(f.Args[0], sym, budget, depth + 1, bound);
        switch (f.Name)
        {
            case "sin": return Complex.Sin(x);
            case "cos": return Complex.Cos(x);
            case "tan": return Complex.Tan(x);
            case "sec": return 1 / Complex.Cos(x);
            case "csc": return 1 / Complex.Sin(x);
            case "cot": return Complex.Cos(x) / Complex.Sin(x);
            case "arcsin": return Complex.Asin(x);
            case "arccos": return Complex.Acos(x);
            case "arctan": return Complex.Atan(x);
            case "arcsec": return Complex.Acos(1 / x);
            case "arccsc": return Complex.Asin(1 / x);
            case "arccot": return Complex.Atan(1 / x);
            case "sinh": return Complex.Sinh(x);
            case "cosh": return Complex.Cosh(x);
            case "tanh": return Complex.Tanh(x);
            case "coth": return 1 / Complex.Tanh(x);
            case "sech": return 1 / Complex.Cosh(x);
            case "csch": return 1 / Complex.Sinh(x);
            case "exp": return Complex.Exp(x);
            case "ln": return Complex.Log(x);
            case "log10": return Complex.Log10(x);
            case "log":
                if (f.Args.Length == 2) return Complex.Log(x) / Complex.Log(Num(f.Args[1], sym, budget, depth + 1, bound));
                return Complex.Log(x);
            case "sqrt": return Complex.Sqrt(x);
            case "abs": return Complex.Abs(x);
            case "floor": return x.Imaginary == 0 ? Math.Floor(x.Real + 1e-12) : double.NaN;
            case "ceil": return x.Imaginary == 0 ? Math.Ceiling(x.Real - 1e-12) : double.NaN;
            case "factorial":
                if (x.Imaginary != 0 || x.Real < 0) return double.NaN;
                if (x.Real > 170) return double.PositiveInfinity;
                return Gamma(x.Real + 1);
            case "binom":
            {
                var k = Num(f.Args[1], sym, budget, depth + 1, bound);
                if (x.Imaginary != 0 || k.Imaginary != 0 || x.Real > 170) return double.NaN;
                return Gamma(x.Real + 1) / (Gamma(k.Real + 1) * Gamma(x.Real - k.Real + 1));
            }
            default:
                // Unknown functions (overline, vec, ...) act as a fixed pseudo-random function of their argument.
                return IndexedValue(f.Name, x);
        }
    }

    private static Complex Sum(SumExpr s, Func<string, Complex> sym, GradeBudget? budget, int depth, Dictionary<string, Complex>? bound)
    {
        var lo = Num(s.Lower, sym, budget, depth + 1, bound);
        var hi = Num(s.Upper, sym, budget, depth + 1, bound);
        if (double.IsNaN(lo.Real) || double.IsNaN(hi.Real) || double.IsInfinity(hi.Real)) return double.NaN;
        var from = Math.Ceiling(lo.Real - 1e-9);
        var to = Math.Floor(hi.Real + 1e-9);
        if (to - from > MaxSumTerms) throw new MathLimitException("sum too long");
        var inner = bound == null ? new Dictionary<string, Complex>() : new Dictionary<string, Complex>(bound);
        Complex acc = s.IsProduct ? 1 : 0;
        for (var k = from; k <= to; k++)
        {
            if (((long)(k - from) & 63) == 63) budget?.ThrowIfExpired();
            inner[s.Variable] = k;
            var term = Num(s.Body, sym, budget, depth + 1, inner);
            acc = s.IsProduct ? acc * term : acc + term;
        }
        budget?.ThrowIfExpired();
        return acc;
    }

    /// <summary>A fixed pseudo-random value for name(index): stands for an unknown function or an indexed sequence.</summary>
    public static Complex IndexedValue(string name, Complex index)
    {
        var key = Math.Round(index.Real, 9) * 1000.0 + Math.Round(index.Imaginary, 9);
        var hash = StableHash(name) ^ BitConverter.DoubleToInt64Bits(key + 0.0);
        return 0.5 + (Mix(hash) & 0xFFFFFF) / (double)0x1000000 * 2.0;
    }

    /// <summary>A hash of a string that does not change between runs (string.GetHashCode does).</summary>
    public static long StableHash(string text)
    {
        var h = unchecked((long)0xcbf29ce484222325);
        foreach (var ch in text) h = unchecked((h ^ ch) * 0x100000001b3);
        return h;
    }

    public static long Mix(long x)
    {
        unchecked
        {
            var z = (ulong)x + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)(z ^ (z >> 31));
        }
    }

    /// <summary>Lanczos approximation of the gamma function (real argument).</summary>
    private static double Gamma(double x)
    {
        if (x < 0.5) return Math.PI / (Math.Sin(Math.PI * x) * Gamma(1 - x));
        if (Math.Abs(x - Math.Round(x)) < 1e-12 && x < 171)
        {
            var r = 1.0;
            for (var k = 2; k < (int)Math.Round(x); k++) r *= k;
            return r;
        }
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        x -= 1;
        var a = g[0];
        var t = x + 7.5;
        for (var k = 1; k < 9; k++) a += g[k] / (x + k);
        return Math.Sqrt(2 * Math.PI) * Math.Pow(t, x + 0.5) * Math.Exp(-t) * a;
    }
}
