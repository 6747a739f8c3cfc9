using System.Text.RegularExpressions;

namespace Rlvr.Grading.Paper;

/// <summary>
/// The second normalisation of grade_answer (PRM800K / DeepScaleR <c>math_grade._normalize</c>): units and
/// <c>$ %</c> removed, "million" → <c>*10^6</c>, LaTeX turned into text through pylatexenc
/// (<see cref="LatexToText"/>), spaces and braces dropped, lower-cased, integers canonicalised
/// (<c>025</c> → <c>25</c>, <c>142.0</c> → <c>142</c>). See research/upstream.md §1.4.
/// </summary>
public static partial class Prm800kNormalizer
{
    private static readonly string[] Units =
    [
        "degree", "cm", "centimeter", "meter", "mile", "second", "minute", "hour", "day", "week", "month",
        "year", "foot", "feet", "inch", "yard",
    ];

    private static readonly Regex[] UnitPatterns = Units
        .Select(u => new Regex(u + @"(es)?(s)? *(\^[0-9]+)?", RegexOptions.CultureInvariant))
        .ToArray();

    [GeneratedRegex(@"^\\text\{(?<text>.+?)\}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnclosingText();

    [GeneratedRegex(@"\^ *\\circ", RegexOptions.CultureInvariant)]
    private static partial Regex Degrees();

    [GeneratedRegex(@",\\! *", RegexOptions.CultureInvariant)]
    private static partial Regex CommaThinSpace();

    [GeneratedRegex(@"- *", RegexOptions.CultureInvariant)]
    private static partial Regex MinusSpaces();

    [GeneratedRegex(@"([0-9]) +([0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex MixedNumber();

    [GeneratedRegex(@"(\d)(,)(\d\d\d)($|\D)", RegexOptions.CultureInvariant)]
    private static partial Regex ThousandsComma();

    /// <summary><c>_normalize(expr)</c>. Throws <see cref="OverflowException"/> where upstream raises
    /// (a float string such as "inf" reaching <c>int(round(x))</c>).</summary>
    public static string Normalize(string expr)
    {
        var m = EnclosingText().Match(expr);
        if (m.Success) expr = m.Groups["text"].Value;
        expr = expr.Replace("\\%", "%").Replace("\\$", "$").Replace("$", "").Replace("%", "");
        expr = expr.Replace(" or ", " , ").Replace(" and ", " , ");
        expr = expr.Replace("million", "*10^6").Replace("billion", "*10^9").Replace("trillion", "*10^12");
        foreach (var unit in UnitPatterns) expr = unit.Replace(expr, "");
        expr = Degrees().Replace(expr, "");
        if (expr.Length > 0 && expr[0] == '{' && expr[^1] == '}') expr = expr[1..^1];
        expr = CommaThinSpace().Replace(expr, "");
        if (PythonText.TryParseFloat(expr, out var number) && IsInteger(number))
            expr = PythonText.RoundToInteger(number).ToString();
        if (expr.Contains('\\'))
        {
            try
            {
                expr = ParseLatex(expr);
            }
            catch (InvalidOperationException)
            {
                // upstream: `except: pass` keeps the LaTeX when pylatexenc fails
            }
        }
        expr = MinusSpaces().Replace(expr, "-");
        expr = MixedNumber().Replace(expr, "$1+$2");
        expr = expr.Replace(" ", "");
        expr = expr.Replace("{", "").Replace("}", "");
        expr = expr.ToLowerInvariant();
        if (StrIsInt(expr)) expr = StrToInt(expr);
        return expr;
    }

    /// <summary><c>_is_int(x)</c>: within 1e-7 of <c>int(round(x))</c> (raises for inf/nan, as upstream).</summary>
    public static bool IsInteger(double x) => Math.Abs(x - (double)PythonText.RoundToInteger(x)) <= 1e-7;

    /// <summary><c>_str_is_int</c>: float-parsable after removing thousands commas, and integral.</summary>
    public static bool StrIsInt(string s)
    {
        try
        {
            return PythonText.TryParseFloat(StripThousandsCommas(s), out var x) && IsInteger(x);
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary><c>_strip_properly_formatted_commas</c>: "1,234,567" → "1234567", repeated to a fixed point.</summary>
    public static string StripThousandsCommas(string expr)
    {
        while (true)
        {
            var next = ThousandsComma().Replace(expr, "$1$3$4");
            if (next == expr) return next;
            expr = next;
        }
    }

    // _str_to_int: int(float(x without commas)).
    private static string StrToInt(string s)
    {
        PythonText.TryParseFloat(s.Replace(",", ""), out var x);
        return PythonText.Truncate(x).ToString();
    }

    // _parse_latex: pylatexenc, then the Unicode symbols sympy can read.
    private static string ParseLatex(string expr)
    {
        expr = expr.Replace("\\tfrac", "\\frac").Replace("\\dfrac", "\\frac");
        expr = expr.Replace("\\frac", " \\frac"); // so that mixed numbers "3\frac12" read "3 1/2"
        expr = LatexToText.Convert(expr);
        expr = expr.Replace("√", "sqrt").Replace("π", "pi").Replace("∞", "inf").Replace("∪", "U")
            .Replace("·", "*").Replace("×", "*");
        return expr.Trim();
    }
}
