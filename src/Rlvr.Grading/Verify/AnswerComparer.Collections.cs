using System.Numerics;
using Rlvr.Grading.Symbolic;

namespace Rlvr.Grading.Verify;

/// <summary>Collections in <see cref="AnswerComparer"/>: sets (unordered, duplicates ignored), a tuple against a
/// set, unions and intervals (endpoints and openness), matrices and vectors.</summary>
internal sealed partial class AnswerComparer
{
    // ---- sets, intervals, matrices ----------------------------------------------------------------------

    private bool SetsEqual(Expr gold, Expr pred, int depth)
    {
        if (gold is SetExpr gs && pred is SetExpr ps)
        {
            if (gs.Items.Length * (long)ps.Items.Length > 4096) throw new MathLimitException("sets too large");
            foreach (var g in gs.Items) if (!ps.Items.Any(p => Equal(g, p, depth))) return false;
            foreach (var p in ps.Items) if (!gs.Items.Any(g => Equal(g, p, depth))) return false;
            return gs.Items.Length > 0 || ps.Items.Length == 0;
        }
        var set = Distinct(gold as SetExpr ?? (SetExpr)pred, depth);
        var other = gold is SetExpr ? pred : gold;
        if (set.Items.Length == 1) return gold is SetExpr ? Equal(set.Items[0], other, depth) : Equal(other, set.Items[0], depth);
        // A tuple against a set: compare in the set's sorted order ((1,3) ≡ {1,3}, (3,1) ≢ {1,3}).
        if (other is TupleExpr t && t.Items.Length == set.Items.Length)
        {
            var sorted = SortedNumerically(set.Items);
            if (sorted == null) return false;
            for (var k = 0; k < sorted.Length; k++)
            {
                var ok = gold is SetExpr ? Equal(sorted[k], t.Items[k], depth) : Equal(t.Items[k], sorted[k], depth);
                if (!ok) return false;
            }
            return true;
        }
        return false;
    }

    /// <summary>The set without repeated elements ({4, 4} is {4}).</summary>
    private SetExpr Distinct(SetExpr set, int depth)
    {
        if (set.Items.Length < 2 || set.Items.Length > 64) return set;
        var kept = new List<Expr>();
        foreach (var item in set.Items) if (!kept.Any(k => Equal(k, item, depth))) kept.Add(item);
        return kept.Count == set.Items.Length ? set : new SetExpr(kept.ToArray());
    }

    private Expr[]? SortedNumerically(Expr[] items)
    {
        var keyed = new List<(double Key, Expr Item)>();
        foreach (var item in items)
        {
            if (!ScalarEquivalence.IsScalar(item)) return null;
            var v = ScalarEquivalence.ValueAt(item, 0, null, _budget);
            if (ScalarEquivalence.IsNaN(v)) return null;
            keyed.Add((v.Real, item));
        }
        return keyed.OrderBy(x => x.Key).Select(x => x.Item).ToArray();
    }

    private bool UnionsEqual(Expr gold, Expr pred, int depth)
    {
        var gp = gold is UnionExpr gu ? gu.Parts : [gold];
        var pp = pred is UnionExpr pu ? pu.Parts : [pred];
        if (gp.Length != pp.Length) return false;
        var used = new bool[pp.Length];
        foreach (var g in gp)
        {
            var found = false;
            for (var k = 0; k < pp.Length && !found; k++)
            {
                if (!used[k] && Equal(g, pp[k], depth)) { used[k] = true; found = true; }
            }
            if (!found) return false;
        }
        return true;
    }

    private bool IntervalsEqual(Expr gold, Expr pred, int depth)
    {
        if (AsInterval(gold) is not { } g || AsInterval(pred) is not { } p) return false;
        if (!Equal(g.Lower, p.Lower, depth) || !Equal(g.Upper, p.Upper, depth)) return false;
        var lowerMatters = !IsInfinity(g.Lower);
        var upperMatters = !IsInfinity(g.Upper);
        return (!lowerMatters || g.LowerClosed == p.LowerClosed) && (!upperMatters || g.UpperClosed == p.UpperClosed);
    }

    private static IntervalExpr? AsInterval(Expr e) => e switch
    {
        IntervalExpr i => i,
        TupleExpr { Items.Length: 2, Open: '(', Close: ')' } t => new IntervalExpr(t.Items[0], t.Items[1], false, false),
        _ => null,
    };

    private static bool IsInfinity(Expr e) => e is ConstantExpr { Kind: ConstantKind.Infinity } || e is NegExpr { Operand: ConstantExpr { Kind: ConstantKind.Infinity } };

    private bool MatricesEqual(MatrixExpr g, MatrixExpr p, int depth)
    {
        if (g.Rows.Length != p.Rows.Length) return false;
        for (var r = 0; r < g.Rows.Length; r++)
        {
            if (g.Rows[r].Length != p.Rows[r].Length) return false;
            for (var c = 0; c < g.Rows[r].Length; c++) if (!Equal(g.Rows[r][c], p.Rows[r][c], depth)) return false;
        }
        return true;
    }

    /// <summary>A one-column or one-row matrix against a tuple of the same entries.</summary>
    private bool VectorEqual(MatrixExpr m, Expr[] items, int depth)
    {
        var entries = m.Rows.Length == 1 ? m.Rows[0] : m.Rows.All(r => r.Length == 1) ? m.Rows.Select(r => r[0]).ToArray() : null;
        if (entries == null || entries.Length != items.Length) return false;
        for (var k = 0; k < entries.Length; k++) if (!Equal(entries[k], items[k], depth)) return false;
        return true;
    }
}
