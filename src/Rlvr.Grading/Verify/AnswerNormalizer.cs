using System.Text.RegularExpressions;

namespace Rlvr.Grading.Verify;

/// <summary>
/// Cleans an extracted answer before parsing, as Math-Verify's normalisation does: units written after the
/// value (`15\mbox{ cm}^2`, `125 miles`) are dropped, percent words become `\%`, and trailing punctuation goes.
/// Units are removed only at the end of the answer, never inside it (unlike the paper's normaliser).
/// </summary>
internal static partial class AnswerNormalizer
{
    [GeneratedRegex(@"(?<=\S)\s*\\(?:text|textnormal|textrm|mbox|mathrm|textit|textbf)\s*\{[^{}]*\}(?:\s*\^\s*(?:\{\s*\d\s*\}|\d))?\s*$")]
    private static partial Regex TrailingTextUnit();

    [GeneratedRegex(@"(?<=[\d}\s])\s*\b(?:square|sq\.?|cubic|cu\.?)?\s*(?:cm|mm|km|kg|mg|sec|secs|seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|meters?|metres?|miles?|mph|feet|foot|ft|inches|inch|yards?|yd|units?|dollars?|cents?|degrees?|deg|liters?|litres?|ml|gallons?|pounds?|lbs?|oz|ounces?|points?|people|students?|ways|times|apples|marbles|yuan|euros?|rupees?|rs|km/h|m/s|cm\^2|m\^2|cm\^3)\.?(?:\s*\^\s*(?:\{\s*\d\s*\}|\d))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex TrailingUnitWord();

    [GeneratedRegex(@"\s*(?:\\%|%|\bpercentage\b|\bpercent\b|\bpct\b)", RegexOptions.IgnoreCase)]
    private static partial Regex PercentWord();

    /// <summary>Longest extracted answer that is parsed; a longer one counts as a timeout (no real answer is that long).</summary>
    public const int MaxAnswerChars = 10_000;

    public static string Normalize(string answer)
    {
        var s = StripMathDelimiters(answer.Trim());
        // Trailing sentence punctuation.
        s = s.TrimEnd(' ', '.', '\n', '\t', ';');
        if (s.Length == 0) return s;
        if (s.Length > MaxAnswerChars) throw new Symbolic.MathLimitException("answer too long");
        if (s.Contains("pct", StringComparison.OrdinalIgnoreCase) || s.Contains("percent", StringComparison.OrdinalIgnoreCase))
            s = PercentWord().Replace(s, "\\%");
        // Units sit at the end: only the tail is searched, so a huge answer costs no more than a short one.
        var headLength = Math.Max(0, s.Length - 200);
        var head = s[..headLength];
        s = s[headLength..];
        for (var pass = 0; pass < 2; pass++)
        {
            var before = s;
            if (s.EndsWith('}') || s.EndsWith('2') || s.EndsWith('3'))
            {
                var m = TrailingTextUnit().Match(s);
                if (m.Success && m.Index > 0 && !IsJoinedText(s, m.Index)) s = s[..m.Index].TrimEnd();
            }
            // Cheap pre-check: a unit word ends in a letter (or "^2", "^{3}", ".").
            var lastChar = s.Length > 0 ? s[^1] : ' ';
            if (char.IsAsciiLetter(lastChar) || lastChar is '.' or '}' or '2' or '3')
            {
                var unit = TrailingUnitWord().Match(s);
                if (unit.Success && unit.Index > 0 && HasValueBefore(s, unit.Index)) s = s[..unit.Index].TrimEnd();
            }
            if (s == before) break;
        }
        return head + s;
    }

    /// <summary>"6 \text{ and } 8" and "\frac{4}{3}\,\mathrm{m} / \mathrm{s}" keep their text: only a text after a value is a unit.</summary>
    private static bool IsJoinedText(string s, int at)
    {
        var head = s[..at].TrimEnd();
        return head.Length == 0 || head[^1] is '=' or ',' or '/' or '*' or '+' or '-' or '^' or '_' or '(' or '{';
    }

    /// <summary>Removes math delimiters around the whole answer: $...$, $$...$$, \(...\), \[...\] (a box may hold them).</summary>
    private static string StripMathDelimiters(string s)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            if (s.Length >= 4 && s.StartsWith("\\(", StringComparison.Ordinal) && s.EndsWith("\\)", StringComparison.Ordinal)) s = s[2..^2].Trim();
            else if (s.Length >= 4 && s.StartsWith("\\[", StringComparison.Ordinal) && s.EndsWith("\\]", StringComparison.Ordinal)) s = s[2..^2].Trim();
            else if (s.Length >= 2 && s[0] == '$' && s[^1] == '$') s = s.Trim('$').Trim();
            else break;
        }
        return s;
    }

    private static bool HasValueBefore(string s, int at)
    {
        var head = s[..at].TrimEnd();
        if (head.Length == 0) return false;
        var last = head[^1];
        return char.IsAsciiDigit(last) || last is '}' or ')' or ']';
    }
}
