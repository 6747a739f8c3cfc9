using System.Numerics;
using Rlvr.Grading.Symbolic;

namespace Rlvr.Grading.Verify;

/// <summary>Relations in <see cref="AnswerComparer"/>: assignments, equations up to a factor, inequalities up to a
/// positive factor, and inequalities read as the intervals they describe.</summary>
internal sealed partial class AnswerComparer
{
    // ---- relations --------------------------------------------------------------------------------------

    /// <summary>x = 3, (p, q) = (3, 2), f(x) = 1, a_1 = b_2 = 5: an equation whose left sides name quantities.</summary>
    private static bool IsAssignment(RelationExpr r) =>
        r.Kinds.All(k => k == RelationKind.Equal) && r.Operands[..^1].Any(MathParser.IsSymbolic);

    private static bool IsSetLike(Expr e) => e is IntervalExpr or UnionExpr or SetExpr || e is TupleExpr { Items.Length: 2, Open: '(', Close: ')' };

    private bool RelationsEqual(RelationExpr g, RelationExpr p, int depth)
    {
        var gEq = g.Kinds.All(k => k == RelationKind.Equal);
        var pEq = p.Kinds.All(k => k == RelationKind.Equal);
        if (gEq && pEq)
        {
            Expr gl = g.Operands[0], grh = g.Operands[^1], pl = p.Operands[0], prh = p.Operands[^1];
            if (IsAssignment(g) && IsAssignment(p) && MathParser.IsSymbolic(gl) && MathParser.IsSymbolic(pl))
                return Equal(gl, pl, depth) && Equal(grh, prh, depth);
            if (ScalarEquivalence.IsScalar(gl) && ScalarEquivalence.IsScalar(grh) && ScalarEquivalence.IsScalar(pl) && ScalarEquivalence.IsScalar(prh))
                return Proportional(Difference(gl, grh), Difference(pl, prh), requirePositive: false);
            return Equal(gl, pl, depth) && Equal(grh, prh, depth);
        }
        if (gEq != pEq) return false;
        if (g.Kinds.Length == 1 && p.Kinds.Length == 1)
        {
            var (gd, gStrict, gNe) = Normalised(g);
            var (pd, pStrict, pNe) = Normalised(p);
            if (gNe != pNe || gStrict != pStrict) return false;
            return Proportional(gd, pd, requirePositive: !gNe);
        }
        if (RelationToSet(g) is { } gs && RelationToSet(p) is { } ps) return Equal(gs, ps, depth);
        if (g.Kinds.Length != p.Kinds.Length || !g.Kinds.SequenceEqual(p.Kinds)) return false;
        for (var k = 0; k < g.Operands.Length; k++) if (!Equal(g.Operands[k], p.Operands[k], depth)) return false;
        return true;
    }

    private static Expr Difference(Expr a, Expr b) => new AddExpr([a, new NegExpr(b)]);

    /// <summary>a op b as "d &gt; 0" (or ≥, or ≠): d and whether it is strict.</summary>
    private static (Expr D, bool Strict, bool NotEqual) Normalised(RelationExpr r)
    {
        Expr l = r.Operands[0], rh = r.Operands[1];
        return r.Kinds[0] switch
        {
            RelationKind.Less => (Difference(rh, l), true, false),
            RelationKind.LessEqual => (Difference(rh, l), false, false),
            RelationKind.Greater => (Difference(l, rh), true, false),
            RelationKind.GreaterEqual => (Difference(l, rh), false, false),
            _ => (Difference(l, rh), false, true),
        };
    }

    /// <summary>Whether d1 = k·d2 for one constant k ≠ 0 (k &gt; 0 when <paramref name="requirePositive"/>), checked at the sample points.</summary>
    private bool Proportional(Expr d1, Expr d2, bool requirePositive)
    {
        Complex? ratio = null;
        var compared = 0;
        for (var point = 0; point < ScalarEquivalence.SamplePoints; point++)
        {
            _budget.ThrowIfExpired();
            var a = ScalarEquivalence.ValueAt(d1, point, null, _budget);
            var b = ScalarEquivalence.ValueAt(d2, point, _renames, _budget);
            if (ScalarEquivalence.IsBad(a) || ScalarEquivalence.IsBad(b)) continue;
            var scale = Math.Max(1, Math.Max(Complex.Abs(a), Complex.Abs(b)));
            var aZero = Complex.Abs(a) <= 1e-9 * scale;
            var bZero = Complex.Abs(b) <= 1e-9 * scale;
            if (aZero || bZero)
            {
                if (aZero != bZero) return false;
                compared++;
                continue;
            }
            ratio ??= a / b;
            if (Complex.Abs(a - ratio.Value * b) > 1e-8 * Math.Max(1, Complex.Abs(a))) return false;
            compared++;
        }
        if (compared == 0) return false;
        if (ratio is { } k && requirePositive && !(k.Real > 0 && Math.Abs(k.Imaginary) < 1e-9 * Math.Abs(k.Real))) return false;
        return true;
    }

    /// <summary>x &gt; a → (a, ∞); a ≤ x &lt; b → [a, b); x = a → {a}. Null when the relation is not one variable against constants.</summary>
    private static Expr? RelationToSet(RelationExpr r)
    {
        static bool IsConstant(Expr e)
        {
            var symbols = new HashSet<string>();
            ScalarEquivalence.CollectSymbols(e, symbols);
            return symbols.Count == 0 && ScalarEquivalence.IsScalar(e);
        }
        var inf = new ConstantExpr(ConstantKind.Infinity);
        var negInf = new NegExpr(inf);
        if (r.Operands.Length == 2)
        {
            Expr l = r.Operands[0], rh = r.Operands[1];
            var kind = r.Kinds[0];
            if (MathParser.IsSymbolic(rh) && IsConstant(l))
            {
                (l, rh) = (rh, l);
                kind = kind switch
                {
                    RelationKind.Less => RelationKind.Greater, RelationKind.Greater => RelationKind.Less,
                    RelationKind.LessEqual => RelationKind.GreaterEqual, RelationKind.GreaterEqual => RelationKind.LessEqual, _ => kind,
                };
            }
            if (!MathParser.IsSymbolic(l) || !IsConstant(rh)) return null;
            return kind switch
            {
                RelationKind.Less => new IntervalExpr(negInf, rh, false, false),
                RelationKind.LessEqual => new IntervalExpr(negInf, rh, false, true),
                RelationKind.Greater => new IntervalExpr(rh, inf, false, false),
                RelationKind.GreaterEqual => new IntervalExpr(rh, inf, true, false),
                RelationKind.Equal => new SetExpr([rh]),
                _ => new UnionExpr([new IntervalExpr(negInf, rh, false, false), new IntervalExpr(rh, inf, false, false)]),
            };
        }
        if (r.Operands.Length == 3 && MathParser.IsSymbolic(r.Operands[1]) && IsConstant(r.Operands[0]) && IsConstant(r.Operands[2]))
        {
            var (k1, k2) = (r.Kinds[0], r.Kinds[1]);
            var ascending = k1 is RelationKind.Less or RelationKind.LessEqual && k2 is RelationKind.Less or RelationKind.LessEqual;
            var descending = k1 is RelationKind.Greater or RelationKind.GreaterEqual && k2 is RelationKind.Greater or RelationKind.GreaterEqual;
            IntervalExpr? interval = null;
            if (ascending) interval = new IntervalExpr(r.Operands[0], r.Operands[2], k1 == RelationKind.LessEqual, k2 == RelationKind.LessEqual);
            if (descending) interval = new IntervalExpr(r.Operands[2], r.Operands[0], k2 == RelationKind.GreaterEqual, k1 == RelationKind.GreaterEqual);
            if (interval != null && r.Operands[1] is FuncExpr { Name: "abs" }) return MirroredForAbs(interval);
            return interval;
        }
        return null;
    }

    /// <summary>a ≤ |x| ≤ b is [-b, -a] ∪ [a, b] when a &gt; 0, else [-b, b].</summary>
    private static Expr MirroredForAbs(IntervalExpr i)
    {
        var lower = ScalarEquivalence.ValueAt(i.Lower, 0, null, null);
        if (ScalarEquivalence.IsBad(lower) || lower.Real <= 0)
            return new IntervalExpr(new NegExpr(i.Upper), i.Upper, i.UpperClosed, i.UpperClosed);
        return new UnionExpr([
            new IntervalExpr(new NegExpr(i.Upper), new NegExpr(i.Lower), i.UpperClosed, i.LowerClosed),
            new IntervalExpr(i.Lower, i.Upper, i.LowerClosed, i.UpperClosed),
        ]);
    }
}
