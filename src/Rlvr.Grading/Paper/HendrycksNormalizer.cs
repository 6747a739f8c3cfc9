using System.Text.RegularExpressions;

namespace Rlvr.Grading.Paper;

/// <summary>
/// The "mathd" normalisation of grade_answer's first check (<c>math_normalize.normalize_answer</c>,
/// Hendrycks MATH <c>_strip_string</c>). Any step that raises upstream makes the whole function return
/// the stripped input; that is reproduced with <see cref="NormalizationFailed"/>.
/// See research/upstream.md §1.4 and graders.md §4.
/// </summary>
public static partial class HendrycksNormalizer
{
    [GeneratedRegex(@"^\\text\{(?<text>.+?)\}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnclosingText();

    private sealed class NormalizationFailed : Exception;

    /// <summary><c>normalize_answer(answer)</c>.</summary>
    public static string Normalize(string answer)
    {
        answer = answer.Trim();
        try
        {
            var m = EnclosingText().Match(answer);
            if (m.Success) answer = m.Groups["text"].Value.Trim();
            return StripString(answer);
        }
        catch (NormalizationFailed)
        {
            return answer;
        }
    }

    private static string StripString(string s)
    {
        s = s.Replace("\n", "").Replace("\\!", "").Replace("\\\\", "\\");
        s = s.Replace("tfrac", "frac").Replace("dfrac", "frac");
        s = s.Replace("\\left", "").Replace("\\right", "");
        s = s.Replace("^{\\circ}", "").Replace("^\\circ", "");
        s = s.Replace("\\$", "");
        s = RemoveRightUnits(s);
        s = s.Replace("\\%", "");
        s = s.Replace(" .", " 0.").Replace("{.", "{0.");
        if (s.Length == 0) return s;
        if (s[0] == '.') s = "0" + s;
        var sides = s.Split('=');
        if (sides.Length == 2 && sides[0].Length <= 2) s = sides[1];
        s = FixSqrt(s);
        s = s.Replace(" ", "");
        s = QwenStripString.FixFracs(s, nullOnBareFrac: true) ?? throw new NormalizationFailed(); // Hendrycks's _fix_fracs
        if (s == "0.5") s = "\\frac{1}{2}";
        s = FixSlash(s);
        return s;
    }

    // "\text{ " marks units: keep what precedes it (upstream asserts exactly one occurrence).
    private static string RemoveRightUnits(string s)
    {
        if (!s.Contains("\\text{ ")) return s;
        var parts = s.Split("\\text{ ");
        if (parts.Length != 2) throw new NormalizationFailed();
        return parts[0];
    }

    // \sqrt3 -> \sqrt{3} (a single character); "\sqrt" at the very end raises upstream.
    private static string FixSqrt(string s)
    {
        if (!s.Contains("\\sqrt")) return s;
        var parts = s.Split("\\sqrt");
        var result = new System.Text.StringBuilder(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            if (part.Length == 0) throw new NormalizationFailed();
            if (part[0] != '{') result.Append("\\sqrt{").Append(part[0]).Append('}').Append(part, 1, part.Length - 1);
            else result.Append("\\sqrt").Append(part);
        }
        return result.ToString();
    }

    // "a/b" of Python ints, exactly canonical -> \frac{a}{b}.
    private static string FixSlash(string s)
    {
        var parts = s.Split('/');
        if (parts.Length != 2) return s;
        if (!PythonText.TryParseInt(parts[0], out var a) || !PythonText.TryParseInt(parts[1], out var b)) return s;
        return s == $"{a}/{b}" ? $"\\frac{{{a}}}{{{b}}}" : s;
    }
}
