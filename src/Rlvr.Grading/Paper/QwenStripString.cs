using System.Text.RegularExpressions;

namespace Rlvr.Grading.Paper;

/// <summary>
/// Qwen2.5-Math's <c>strip_string</c> (evaluation/parser.py, same in the Spurious-Rewards fork), step by
/// step in upstream order. Its quirks are the point: unit words from a MathQA list are deleted wherever
/// they stand between non-word characters (so <c>\pm</c> loses <c>pm</c> and <c>h+r</c> loses <c>h</c>),
/// every "and" is deleted, and word numbers become digits. See research/upstream.md §1.3.
/// </summary>
public static partial class QwenStripString
{
    /// <summary>The MathQA unit list, in upstream order (entries are raw regexes: "q ." has a wildcard dot).</summary>
    public static IReadOnlyList<string> UnitTexts { get; } = BuildUnitTexts();

    // Python's \w on str patterns is letters, all numerics (including ² ³) and "_"; .NET's \w differs slightly.
    private const string NonWord = @"[^\p{L}\p{N}_]";

    private static readonly Regex[] UnitPatterns = UnitTexts
        .Select(u => new Regex("(^|" + NonWord + ")" + u + "($|" + NonWord + ")", RegexOptions.CultureInvariant))
        .ToArray();

    // A literal every match of the unit's pattern contains: the unit up to its first "." (the only regex
    // metacharacter in the list). Where it is absent the pattern cannot match, so the costly regex is skipped.
    private static readonly string[] UnitLiterals = UnitTexts
        .Select(u => u.Contains('.') ? u[..u.IndexOf('.')] : u)
        .ToArray();

    private static readonly bool[] UnitIsLiteral = UnitTexts.Select(u => !u.Contains('.')).ToArray();

    [GeneratedRegex(@"\\begin\{array\}\{.*?\}", RegexOptions.CultureInvariant, LazyScanTimeoutMs)]
    private static partial Regex BeginArray();

    [GeneratedRegex(@"\\end\{array\}", RegexOptions.CultureInvariant)]
    private static partial Regex EndArray();

    [GeneratedRegex(@"\\text\{.*?\}$", RegexOptions.CultureInvariant, LazyScanTimeoutMs)]
    private static partial Regex TrailingText();

    [GeneratedRegex(@"\\text\{(.*?)\}", RegexOptions.CultureInvariant, LazyScanTimeoutMs)]
    private static partial Regex TextMacro();

    [GeneratedRegex(@"\\mbox\{.*?\}", RegexOptions.CultureInvariant, LazyScanTimeoutMs)]
    private static partial Regex MboxMacro();

    [GeneratedRegex(@"(\d+)\.0*([^\d])", RegexOptions.CultureInvariant)]
    private static partial Regex ZeroDecimalsBeforeNonDigit();

    [GeneratedRegex(@"(\d+)\.0*$", RegexOptions.CultureInvariant)]
    private static partial Regex ZeroDecimalsAtEnd();

    [GeneratedRegex(@"\\sqrt([\p{L}\p{N}_]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SqrtWithoutBraces();

    // The lazy ".*?" patterns are quadratic on adversarial input (thousands of unclosed "\text{"); past this
    // they throw RegexMatchTimeoutException, which the grader reports as a timeout.
    private const int LazyScanTimeoutMs = 200;

    private static readonly string[] VariablePrefixes = ["x=", "y=", "z=", "x\\in", "y\\in", "z\\in", "x\\to", "y\\to", "z\\to"];

    /// <summary>Applies <c>strip_string(s, skip_unit)</c>.</summary>
    /// <param name="s">The extracted answer.</param>
    /// <param name="skipUnit">Upstream skips the unit words only for carp_en and minerva_math; the paper's
    /// <c>math</c> reward does not.</param>
    /// <param name="budget">Checked between the unit passes (the only costly part).</param>
    public static string Strip(string s, bool skipUnit = false, GradeBudget? budget = null)
    {
        s = s.Trim();
        s = s.Replace("\n", "");
        s = s.TrimEnd('.');
        s = s.Replace("\\!", "");
        s = BeginArray().Replace(s, @"\begin{pmatrix}");
        s = EndArray().Replace(s, @"\end{pmatrix}");
        s = s.Replace("bmatrix", "pmatrix");
        s = s.Replace("tfrac", "frac").Replace("dfrac", "frac");
        s = s.Replace("\\neq", "\\ne").Replace("\\leq", "\\le").Replace("\\geq", "\\ge");
        s = s.Replace("\\left", "").Replace("\\right", "");
        s = s.Replace("\\{", "{").Replace("\\}", "}");

        // A trailing \text{unit} goes, unless nothing would be left.
        var withoutUnit = TrailingText().Replace(s, "").Trim();
        if (withoutUnit != "" && withoutUnit != s) s = withoutUnit;

        if (!skipUnit)
        {
            for (var pass = 0; pass < 2; pass++)
            {
                for (var u = 0; u < UnitPatterns.Length; u++)
                {
                    if (UnitIsLiteral[u] ? !HasStandalone(s, UnitLiterals[u]) : !s.Contains(UnitLiterals[u], StringComparison.Ordinal)) continue;
                    var t = UnitPatterns[u].Replace(s, "$1$2");
                    if (t != "") s = t;
                    budget?.ThrowIfExpired();
                }
            }
        }

        s = s.Replace("^{\\circ}", "").Replace("^\\circ", "");
        s = s.Replace("\\$", "").Replace("$", "");
        s = s.Replace("\\(", "").Replace("\\)", "");
        s = WordToNumber.ConvertOrKeep(s);
        s = TextMacro().Replace(s, "$1");
        foreach (var prefix in VariablePrefixes) s = s.Replace(prefix, "");
        s = s.Replace("\\emptyset", "{}");
        s = s.Replace("(-\\infty,\\infty)", "\\mathbb{R}");
        s = s.Replace("\\%", "").Replace("%", "");
        s = s.Replace(" .", " 0.").Replace("{.", "{0.");
        // (Upstream's outer-bracket strip requires str.isalnum() of a bracketed string: never true, omitted.)
        s = s.Replace("infinity", "\\infty");
        if (!s.Contains("\\infty")) s = s.Replace("inf", "\\infty");
        s = s.Replace("+\\inity", "\\infty");
        s = s.Replace("and", "");
        s = s.Replace("\\mathbf", "");
        s = MboxMacro().Replace(s, "");
        if (s.Contains('j') && !s.Contains('i')) s = s.Replace('j', 'i');
        s = ZeroDecimalsBeforeNonDigit().Replace(s, "$1$2");
        s = ZeroDecimalsAtEnd().Replace(s, "$1");
        if (s.Length == 0) return s;
        if (s[0] == '.') s = "0" + s;
        var sides = s.Split('=');
        if (sides.Length == 2 && sides[0].Length <= 2) s = sides[1];
        s = SqrtWithoutBraces().Replace(s, @"\sqrt{$1}");
        s = s.Replace(" ", "");
        s = FixFracs(s);
        s = FixSlash(s);
        return s;
    }

    // Exactly when "(^|\W)unit($|\W)" matches a dot-free unit: an occurrence with a non-word character
    // (or the string's edge) on both sides.
    private static bool HasStandalone(string s, string unit)
    {
        for (var at = s.IndexOf(unit, StringComparison.Ordinal); at >= 0; at = s.IndexOf(unit, at + 1, StringComparison.Ordinal))
        {
            var end = at + unit.Length;
            if ((at == 0 || !IsWordChar(s[at - 1])) && (end == s.Length || !IsWordChar(s[end]))) return true;
        }
        return false;
    }

    private static bool IsWordChar(char c) => char.IsLetter(c) || char.IsNumber(c) || c == '_';

    /// <summary>Qwen's <c>_fix_fracs</c>: <c>\frac12</c> → <c>\frac{1}{2}</c>, <c>\frac1{72}</c> → <c>\frac{1}{72}</c>;
    /// returns the input unchanged when a <c>\frac</c> is followed by fewer than two characters.</summary>
    public static string FixFracs(string s) => FixFracs(s, nullOnBareFrac: false)!;

    /// <summary>
    /// The loop both upstream <c>_fix_fracs</c> share. Hendrycks's copy indexes the first character after each
    /// <c>\frac</c> before checking the length, so a bare one raises there where Qwen's returns the input:
    /// with <paramref name="nullOnBareFrac"/> that case gives null (earlier parts are handled first, in order).
    /// </summary>
    internal static string? FixFracs(string s, bool nullOnBareFrac)
    {
        var parts = s.Split("\\frac");
        var result = new System.Text.StringBuilder(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            result.Append("\\frac");
            if (part.Length == 0 && nullOnBareFrac) return null;
            if (part.Length > 0 && part[0] == '{')
            {
                result.Append(part);
                continue;
            }
            if (part.Length < 2) return s;
            var a = part[0];
            var b = part[1];
            if (b != '{') result.Append('{').Append(a).Append("}{").Append(b).Append('}').Append(part, 2, part.Length - 2);
            else result.Append('{').Append(a).Append('}').Append(b).Append(part, 2, part.Length - 2);
        }
        return result.ToString();
    }

    /// <summary>Qwen's <c>_fix_a_slash_b</c>: "a/b" with integer (or sqrt-containing) sides → <c>\frac{a}{b}</c>,
    /// only when the string is exactly the canonical "a/b".</summary>
    public static string FixSlash(string s)
    {
        var parts = s.Split('/');
        if (parts.Length != 2) return s;
        string a = parts[0], b = parts[1];
        if (!a.Contains("sqrt"))
        {
            if (!PythonText.TryParseInt(a, out var ai)) return s;
            a = ai.ToString();
        }
        if (!b.Contains("sqrt"))
        {
            if (!PythonText.TryParseInt(b, out var bi)) return s;
            b = bi.ToString();
        }
        return s == a + "/" + b ? "\\frac{" + a + "}{" + b + "}" : s;
    }

    private static List<string> BuildUnitTexts()
    {
        string[] units =
        [
            "east", "degree", "mph", "kmph", "ft", "m sqaure", " m east", "sq m", "deg", "mile", "q .", "monkey",
            "prime", "ratio", "profit of rs", "rd", "o", "gm", "p . m", "lb", "tile", "per", "dm", "lt", "gain",
            "ab", "way", "west", "a .", "b .", "c .", "d .", "e .", "f .", "g .", "h .", "t", "a", "h",
            "no change", "men", "soldier", "pie", "bc", "excess", "st", "inches", "noon", "percent", "by", "gal",
            "kmh", "c", "acre", "rise", "a . m", "th", "π r 2", "sq", "mark", "l", "toy", "coin", "sq . m",
            "gallon", "° f", "profit", "minw", "yr", "women", "feet", "am", "pm", "hr", "cu cm", "square",
            "v â € ™", "are", "rupee", "rounds", "cubic", "cc", "mtr", "s", "ohm", "number", "kmph", "day", "hour",
            "minute", "min", "second", "man", "woman", "sec", "cube", "mt", "sq inch", "mp", "∏ cm ³", "hectare",
            "more", "sec", "unit", "cu . m", "cm 2", "rs .", "rs", "kg", "g", "month", "km", "m", "cm", "mm",
            "apple", "liter", "loss", "yard", "pure", "year", "increase", "decrease", "d", "less", "Surface",
            "litre", "pi sq m", "s .", "metre", "meter", "inch",
        ];
        var all = new List<string>(units);
        all.AddRange(units.Select(u => u + "s"));
        return all;
    }
}
