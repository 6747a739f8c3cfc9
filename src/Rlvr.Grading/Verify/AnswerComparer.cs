using System.Numerics;
using Rlvr.Grading.Symbolic;

namespace Rlvr.Grading.Verify;

/// <summary>
/// Structure-aware equivalence of a gold answer and a predicted one, following Math-Verify's rules:
/// ± expands to both values; an assignment x = 3 compares by its value; a predicted equation by its last
/// right-hand side; relations compare up to a constant factor (positive for inequalities, so x ≤ 5 ≡ 5 ≥ x);
/// a gold inequality matches the interval it describes (the reverse only with AllowSetRelationComparison);
/// sets compare unordered, tuples in order, a tuple against a set in the set's sorted order; intervals by
/// endpoints and openness; matrices element-wise (sums and products of matrices are evaluated); words
/// case-insensitively; scalars by <see cref="ScalarEquivalence"/> with the float rounding of the options.
/// </summary>
internal sealed partial class AnswerComparer
{
    private const int MaxDepth = 64;
    private const int MaxAlternatives = 16;

    private readonly GradeOptions _options;
    private readonly GradeBudget _budget;
    private IReadOnlyDictionary<string, string>? _renames;

    public AnswerComparer(GradeOptions options, GradeBudget budget)
    {
        _options = options;
        _budget = budget;
    }

    public bool AreEquivalent(Expr gold, Expr pred)
    {
        _renames = _options.Strict ? null : PositionalRenames(gold, pred);
        return Equal(Prepare(gold, 0), Prepare(pred, 0), 0);
    }

    private bool Equal(Expr gold, Expr pred, int depth)
    {
        if (depth > MaxDepth) throw new MathLimitException("answer nested too deeply");
        _budget.ThrowIfExpired();
        depth++;

        if (gold is RelationExpr gr && pred is RelationExpr pr) return RelationsEqual(gr, pr, depth);
        if (gold is RelationExpr g)
        {
            if (IsAssignment(g)) return Equal(g.Operands[^1], pred, depth);
            if (IsSetLike(pred) && RelationToSet(g) is { } goldSet) return Equal(goldSet, pred, depth);
            return false;
        }
        if (pred is RelationExpr p)
        {
            if (p.Kinds.All(k => k == RelationKind.Equal)) return Equal(gold, p.Operands[^1], depth);
            if (_options.AllowSetRelationComparison && IsSetLike(gold) && RelationToSet(p) is { } predSet) return Equal(gold, predSet, depth);
            return false;
        }

        if (gold is SetExpr gs || pred is SetExpr) return SetsEqual(gold, pred, depth);
        if (gold is UnionExpr || pred is UnionExpr) return UnionsEqual(gold, pred, depth);
        if (gold is IntervalExpr || pred is IntervalExpr) return IntervalsEqual(gold, pred, depth);
        if (gold is MatrixExpr gm && pred is MatrixExpr pm) return MatricesEqual(gm, pm, depth);
        if (gold is MatrixExpr m1 && pred is TupleExpr t1) return VectorEqual(m1, t1.Items, depth);
        if (pred is MatrixExpr m2 && gold is TupleExpr t2) return VectorEqual(m2, t2.Items, depth);
        if (gold is TupleExpr gt && pred is TupleExpr pt)
        {
            if (gt.Items.Length != pt.Items.Length) return false;
            for (var k = 0; k < gt.Items.Length; k++) if (!Equal(gt.Items[k], pt.Items[k], depth)) return false;
            return true;
        }
        if (WordOf(gold) is { } goldWord && WordOf(pred) is { } predWord && WordsEqual(goldWord, predWord)) return true;
        if (ScalarEquivalence.IsScalar(gold) && ScalarEquivalence.IsScalar(pred))
            return ScalarEquivalence.AreEqual(gold, pred, _options.FloatRounding, _budget, _renames) == true;
        return false;
    }

    // ---- preparation: ± expansion and matrix arithmetic ------------------------------------------------

    private Expr Prepare(Expr e, int depth)
    {
        if (depth > MaxDepth) throw new MathLimitException("answer nested too deeply");
        switch (e)
        {
            case SetExpr s:
            {
                var items = new List<Expr>();
                foreach (var item in s.Items)
                {
                    var prepared = Prepare(item, depth + 1);
                    if (prepared is SetExpr inner && item is not SetExpr) items.AddRange(inner.Items);
                    else items.Add(prepared);
                }
                return new SetExpr(items.ToArray());
            }
            case TupleExpr t: return new TupleExpr(t.Items.Select(x => Prepare(x, depth + 1)).ToArray(), t.Open, t.Close);
            case IntervalExpr i: return new IntervalExpr(Prepare(i.Lower, depth + 1), Prepare(i.Upper, depth + 1), i.LowerClosed, i.UpperClosed);
            case UnionExpr u: return new UnionExpr(u.Parts.Select(x => Prepare(x, depth + 1)).ToArray());
            case RelationExpr r: return new RelationExpr(r.Operands.Select(x => Prepare(x, depth + 1)).ToArray(), r.Kinds);
            case MatrixExpr m: return new MatrixExpr(m.Rows.Select(row => row.Select(x => Prepare(x, depth + 1)).ToArray()).ToArray());
        }
        if (ReduceMatrix(e, depth) is { } matrix) return matrix;
        if (!ContainsPlusMinus(e)) return e;
        var alternatives = Alternatives(e, depth);
        return alternatives.Count == 1 ? alternatives[0] : new SetExpr(alternatives.ToArray());
    }

    private static bool ContainsPlusMinus(Expr e) => ExprSearch.AnyInArithmetic(e, n => n is PlusMinusExpr);

    /// <summary>The values of a scalar holding ±: a ± b → [a + b, a - b], with all signs chosen together.</summary>
    private List<Expr> Alternatives(Expr e, int depth)
    {
        if (depth > MaxDepth) throw new MathLimitException("answer nested too deeply");
        switch (e)
        {
            case PlusMinusExpr pm:
            {
                var result = new List<Expr>();
                var lefts = pm.Left == null ? [null] : Alternatives(pm.Left, depth + 1).Cast<Expr?>().ToList();
                foreach (var left in lefts)
                foreach (var right in Alternatives(pm.Right, depth + 1))
                {
                    result.Add(left == null ? right : new AddExpr([left, right]));
                    result.Add(left == null ? new NegExpr(right) : new AddExpr([left, new NegExpr(right)]));
                    if (result.Count > MaxAlternatives) throw new MathLimitException("too many ± combinations");
                }
                return result;
            }
            case AddExpr a: return Combine(a.Terms, depth, items => new AddExpr(items));
            case MulExpr m: return Combine(m.Factors, depth, items => new MulExpr(items, m.LetterRun));
            case DivExpr d: return Combine([d.Numerator, d.Denominator], depth, items => new DivExpr(items[0], items[1]));
            case NegExpr n: return Alternatives(n.Operand, depth + 1).Select(x => (Expr)new NegExpr(x)).ToList();
            case PowExpr p: return Combine([p.Base, p.Exponent], depth, items => new PowExpr(items[0], items[1]));
            case FuncExpr f: return Combine(f.Args, depth, items => new FuncExpr(f.Name, items));
            default: return [e];
        }
    }

    private List<Expr> Combine(Expr[] parts, int depth, Func<Expr[], Expr> build)
    {
        var combos = new List<Expr[]> { Array.Empty<Expr>() };
        foreach (var part in parts)
        {
            var options = Alternatives(part, depth + 1);
            var next = new List<Expr[]>();
            foreach (var combo in combos)
            foreach (var option in options)
            {
                next.Add([.. combo, option]);
                if (next.Count > MaxAlternatives) throw new MathLimitException("too many ± combinations");
            }
            combos = next;
        }
        return combos.Select(build).ToList();
    }

    /// <summary>Evaluates sums, differences and products involving matrices into one matrix (null when none is involved).</summary>
    private MatrixExpr? ReduceMatrix(Expr e, int depth)
    {
        if (depth > MaxDepth) throw new MathLimitException("answer nested too deeply");
        switch (e)
        {
            case MatrixExpr m: return m;
            case NegExpr n when ReduceMatrix(n.Operand, depth + 1) is { } inner:
                return Map(inner, x => new NegExpr(x));
            case AddExpr a:
            {
                var matrices = new List<MatrixExpr>();
                foreach (var t in a.Terms)
                {
                    if (ReduceMatrix(t, depth + 1) is not { } tm) return null;
                    matrices.Add(tm);
                }
                var rows = matrices[0].Rows.Length;
                var cols = matrices[0].Rows[0].Length;
                if (matrices.Any(x => x.Rows.Length != rows || x.Rows[0].Length != cols)) return null;
                return new MatrixExpr(Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, cols)
                    .Select(c => (Expr)new AddExpr(matrices.Select(x => x.Rows[r][c]).ToArray())).ToArray()).ToArray());
            }
            case MulExpr mul:
            {
                if (!mul.Factors.Any(f => f is MatrixExpr || f is AddExpr || f is NegExpr)) return null;
                MatrixExpr? acc = null;
                var scalars = new List<Expr>();
                foreach (var f in mul.Factors)
                {
                    var fm = ReduceMatrix(f, depth + 1);
                    if (fm == null) { scalars.Add(f); continue; }
                    if (acc == null) { acc = fm; continue; }
                    if (acc.Rows[0].Length != fm.Rows.Length) return null;
                    var a = acc;
                    acc = new MatrixExpr(Enumerable.Range(0, a.Rows.Length).Select(r => Enumerable.Range(0, fm.Rows[0].Length)
                        .Select(c => (Expr)new AddExpr(Enumerable.Range(0, fm.Rows.Length)
                            .Select(k => (Expr)new MulExpr([a.Rows[r][k], fm.Rows[k][c]])).ToArray())).ToArray()).ToArray());
                }
                if (acc == null) return null;
                return scalars.Count == 0 ? acc : Map(acc, x => new MulExpr([.. scalars, x]));
            }
            default: return null;
        }
    }

    private static MatrixExpr Map(MatrixExpr m, Func<Expr, Expr> f) => new(m.Rows.Select(r => r.Select(f).ToArray()).ToArray());

    // ---- words and symbols ------------------------------------------------------------------------------

    /// <summary>The word an answer spells (\text{odd}, odd, Even, E), or null when it is not a word.</summary>
    private static string? WordOf(Expr e) => e switch
    {
        SymbolExpr s => s.Name,
        MulExpr { LetterRun: { } run } => run,
        ConstantExpr { Kind: ConstantKind.E } => "e",
        ConstantExpr { Kind: ConstantKind.I } => "i",
        _ => null,
    };

    private static bool WordsEqual(string a, string b)
    {
        // Single letters are variables: x and X differ. Longer words are text: "Even" is "even".
        if (a.Length == 1 && b.Length == 1) return a == b;
        return string.Equals(a.Replace(" ", ""), b.Replace(" ", ""), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Non-strict mode: the prediction's free symbols, in order of appearance, renamed to the gold's.</summary>
    private static IReadOnlyDictionary<string, string>? PositionalRenames(Expr gold, Expr pred)
    {
        var g = OrderedSymbols(gold);
        var p = OrderedSymbols(pred);
        if (g.Count != p.Count || g.Count == 0) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < g.Count; k++) map[p[k]] = g[k];
        return map;
    }

    private static List<string> OrderedSymbols(Expr e)
    {
        var list = new List<string>();
        void Walk(Expr x, int depth)
        {
            if (depth > MaxDepth) return;
            switch (x)
            {
                case SymbolExpr s: if (!list.Contains(s.Name)) list.Add(s.Name); break;
                case IndexedExpr ix: if (!list.Contains(ix.Name)) list.Add(ix.Name); Walk(ix.Index, depth + 1); break;
                case AddExpr a: foreach (var t in a.Terms) Walk(t, depth + 1); break;
                case MulExpr m: foreach (var f in m.Factors) Walk(f, depth + 1); break;
                case DivExpr d: Walk(d.Numerator, depth + 1); Walk(d.Denominator, depth + 1); break;
                case NegExpr n: Walk(n.Operand, depth + 1); break;
                case PowExpr p: Walk(p.Base, depth + 1); Walk(p.Exponent, depth + 1); break;
                case FuncExpr f: foreach (var y in f.Args) Walk(y, depth + 1); break;
                case TupleExpr t: foreach (var y in t.Items) Walk(y, depth + 1); break;
                case SetExpr s: foreach (var y in s.Items) Walk(y, depth + 1); break;
                case RelationExpr r: foreach (var y in r.Operands) Walk(y, depth + 1); break;
                case IntervalExpr i: Walk(i.Lower, depth + 1); Walk(i.Upper, depth + 1); break;
                case PlusMinusExpr pm: if (pm.Left != null) Walk(pm.Left, depth + 1); Walk(pm.Right, depth + 1); break;
            }
        }
        Walk(e, 0);
        return list;
    }
}
