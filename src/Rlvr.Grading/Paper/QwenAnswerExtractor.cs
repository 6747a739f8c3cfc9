using System.Text.RegularExpressions;

namespace Rlvr.Grading.Paper;

/// <summary>
/// The Qwen2.5-Math answer extractor as the paper's reward calls it (<c>extract_answer(text, "math")</c>
/// and <c>extract_answer_box_only</c> in the fork's qwen_math_parser.py), fallbacks in upstream order:
/// Minerva "final answer is $...$. I hope", the last "boxed", "he answer is", "final answer is", "答案是",
/// then the last number. See research/upstream.md §1.3.
/// </summary>
public static partial class QwenAnswerExtractor
{
    [GeneratedRegex(@"-?\d*\.?\d+", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex(@"\n\s*", RegexOptions.CultureInvariant)]
    private static partial Regex NewlineAndIndent();

    /// <summary><c>extract_answer(s, "math", use_last_number=True, is_r1_style)</c>: the normalised answer,
    /// or "" when there is none.</summary>
    public static string Extract(string text, bool r1Style = false, GradeBudget? budget = null)
    {
        text = text.Replace("\u043a\u0438", "");
        if (r1Style) text = R1AnswerPart(text);

        string pred;
        const string minervaStart = "final answer is $";
        const string minervaEnd = "$. I hope";
        if (text.Contains(minervaStart) && text.Contains(minervaEnd))
        {
            var after = text[(text.IndexOf(minervaStart, StringComparison.Ordinal) + minervaStart.Length)..];
            var end = after.IndexOf(minervaEnd, StringComparison.Ordinal);
            pred = (end >= 0 ? after[..end] : after).Trim();
        }
        else if (text.Contains("boxed"))
        {
            pred = AfterLastBoxed(text);
        }
        else if (text.Contains("he answer is"))
        {
            pred = AfterLast(text, "he answer is").Trim();
        }
        else if (text.Contains("final answer is"))
        {
            pred = AfterLast(text, "final answer is").Trim();
        }
        else if (text.Contains("答案是"))
        {
            // split("答案是")[1]: the text after the FIRST occurrence, up to the next blank line.
            var after = text.Split("答案是")[1].Trim();
            pred = after.Split("\n\n")[0].Trim();
        }
        else
        {
            var numbers = Number().Matches(text.Replace(",", ""));
            pred = numbers.Count > 0 ? numbers[^1].Value : "";
        }
        return PostProcess(pred, budget);
    }

    /// <summary><c>extract_answer_box_only</c>: the normalised content of the last "boxed", "" when there is
    /// none. In r1 style upstream returns the answer part without looking for a box at all.</summary>
    public static string ExtractBoxOnly(string text, bool r1Style = false, GradeBudget? budget = null)
    {
        text = text.Replace("\u043a\u0438", "");
        if (r1Style) return R1AnswerPart(text);
        var pred = text.Contains("boxed") ? AfterLastBoxed(text) : "";
        return PostProcess(pred, budget);
    }

    /// <summary><c>s.split("&lt;answer&gt;")[-1].rstrip("&lt;/answer&gt;")</c>: note that <c>rstrip</c> removes a
    /// character SET, so trailing letters among "&lt;/answer&gt;" go too (an upstream bug kept on purpose).</summary>
    public static string R1AnswerPart(string text)
    {
        var last = AfterLast(text, "<answer>");
        return last.TrimEnd('<', '/', 'a', 'n', 's', 'w', 'e', 'r', '>');
    }

    private static string AfterLastBoxed(string text)
    {
        var rest = AfterLast(text, "boxed");
        if (rest.Length == 0) return "";
        if (rest[0] != '{') return rest.Split('$')[0].Trim();
        // Brace-balanced content; an unclosed box keeps everything after it.
        var depth = 1;
        for (var i = 1; i < rest.Length; i++)
        {
            if (rest[i] == '{') depth++;
            else if (rest[i] == '}' && --depth == 0) return rest[1..i];
        }
        return rest[1..];
    }

    // Python's s.split(sep)[-1]: the whole string when sep does not occur.
    private static string AfterLast(string text, string separator)
    {
        var at = text.LastIndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? text : text[(at + separator.Length)..];
    }

    private static string PostProcess(string pred, GradeBudget? budget)
    {
        pred = NewlineAndIndent().Replace(pred, "");
        if (pred.StartsWith(':')) pred = pred[1..];
        if (pred.EndsWith('.')) pred = pred[..^1];
        if (pred.EndsWith('/')) pred = pred[..^1];
        return QwenStripString.Strip(pred, skipUnit: false, budget);
    }
}
