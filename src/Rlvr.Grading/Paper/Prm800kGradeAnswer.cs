using System.Text.RegularExpressions;

namespace Rlvr.Grading.Paper;

/// <summary>
/// PRM800K / DeepScaleR <c>grade_answer(given, ground_truth)</c> as the paper's reward calls it: the
/// Hendrycks "mathd" check, then <see cref="Prm800kNormalizer"/>, tuple splitting with bracket matching,
/// exact string equality for plain fractions, "an integer only equals an integer", and finally
/// <c>simplify(gt - given) == 0</c> for the rest. See research/upstream.md §1.4.
/// </summary>
public static partial class Prm800kGradeAnswer
{
    /// <summary>The symbolic step: whether two normalised plain-text expressions are equal.</summary>
    public delegate bool SymbolicCheck(string groundTruth, string given, GradeBudget budget);

    private const string TupleChars = "()[]";

    [GeneratedRegex(@"^-?[0-9]+.?/0*[1-9][0-9]*.?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainFraction();

    [GeneratedRegex(@"\^[0-9]+\^|\^[0-9][0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex BadPower();

    /// <summary><c>grade_answer</c>. Exceptions inside are upstream exceptions too; callers map them to "wrong".</summary>
    public static bool Grade(string? given, string groundTruth, SymbolicCheck symbolic, GradeBudget budget)
    {
        if (given is null) return false;
        if (HendrycksNormalizer.Normalize(groundTruth) == HendrycksNormalizer.Normalize(given)) return true;

        var truth = Prm800kNormalizer.Normalize(groundTruth);
        var answer = Prm800kNormalizer.Normalize(given);
        if (truth == answer) return true;
        if (answer.Length == 0) return false;

        var truthElements = SplitTuple(truth);
        var answerElements = SplitTuple(answer);
        // Brackets must match for tuples and intervals: [a,b] is not (a,b).
        if (truthElements.Count > 1 && (truth[0] != answer[0] || truth[^1] != answer[^1])) return false;
        if (truthElements.Count != answerElements.Count) return false;

        for (var k = 0; k < truthElements.Count; k++)
        {
            budget.ThrowIfExpired();
            var t = truthElements[k];
            var a = answerElements[k];
            bool equal;
            if (IsPlainFraction(t) && IsPlainFraction(a)) equal = t == a; // unreduced fractions are wrong
            else if (Prm800kNormalizer.StrIsInt(t) != Prm800kNormalizer.StrIsInt(a)) equal = false;
            else equal = AreEqualUnderSympy(t, a, symbolic, budget);
            if (!equal) return false;
        }
        return true;
    }

    /// <summary><c>split_tuple</c>: "(a,b)" / "[a,b)" without inner brackets → its comma-separated parts.</summary>
    public static List<string> SplitTuple(string expr)
    {
        expr = Prm800kNormalizer.StripThousandsCommas(expr);
        if (expr.Length == 0) return [];
        if (expr.Length > 2 && TupleChars.Contains(expr[0]) && TupleChars.Contains(expr[^1])
            && !expr[1..^1].Any(TupleChars.Contains))
        {
            return expr[1..^1].Split(',').Select(e => e.Trim()).ToList();
        }
        return [expr];
    }

    /// <summary><c>_is_frac</c>.</summary>
    public static bool IsPlainFraction(string s) => PlainFraction().IsMatch(s);

    /// <summary><c>should_allow_eval</c>: at most two distinct letters (after removing "sqrt" and "frac"),
    /// no <c>^{</c>, <c>^(</c>, stacked or multi-digit powers (upstream's guard against sympy hangs).</summary>
    public static bool ShouldAllowEval(string expr)
    {
        var letters = expr.Replace("sqrt", "").Replace("frac", "").Where(char.IsLetter).Distinct().Count();
        if (letters > 2) return false;
        if (expr.Contains("^{") || expr.Contains("^(")) return false;
        return !BadPower().IsMatch(expr);
    }

    private static bool AreEqualUnderSympy(string truth, string given, SymbolicCheck symbolic, GradeBudget budget)
    {
        // Upstream checks the guard on the combined "(gt)-(given)".
        if (!ShouldAllowEval($"({truth})-({given})")) return false;
        return symbolic(truth, given, budget);
    }
}
