using System.Text;
using System.Text.RegularExpressions;

namespace Rlvr.Grading.Verify;

/// <summary>
/// Finds the final answer of a response, in Math-Verify's order of trust: the last \boxed{}/\fbox{} (with
/// neighbouring boxes joined, "\boxed{1} and \boxed{2}"; a Minerva "final answer is $X$" after the last box
/// comes first), an anchored answer ("final answer is ...", "answer: ...", a multiple-choice letter), the
/// whole text if it is one number or a short formula, then the last LaTeX environment ($...$, $$...$$,
/// \[...\], \(...\); single-line for $ and \(, neighbours joined by and/or/comma), a bare \frac{}{} or the
/// last plain number, whichever ends last; for gold answers, a short answer in words. Each candidate is
/// returned in that order; the grader takes the first that parses. Scanning is linear in the text's length.
/// </summary>
internal static partial class AnswerExtractor
{
    /// <summary>"final answer is", also with words between ("Final Answer: The volume of $V$ is 120").</summary>
    // Patterns end on a literal so that right-to-left matching never backtracks through runs of spaces.
    [GeneratedRegex(@"final\s+answer(?:[^\n.]{0,80}?\b(?:is|are|be)\b)",
        RegexOptions.IgnoreCase | RegexOptions.RightToLeft | RegexOptions.CultureInvariant)]
    private static partial Regex FinalAnswerIs();

    /// <summary>Other answer anchors (English, French, Chinese, Hindi); the last occurrence wins.</summary>
    [GeneratedRegex(@"(?:answer\s+is|answer\s*:|answers\s+are|réponse\s+est|réponse\s*:|答案|उत्तर)",
        RegexOptions.IgnoreCase | RegexOptions.RightToLeft | RegexOptions.CultureInvariant)]
    private static partial Regex Anchor();

    /// <summary>How far from the end anchors are searched.</summary>
    private const int AnchorWindow = 20_000;

    /// <summary>Longest text taken whole as a word answer.</summary>
    private const int MaxWordAnswer = 64;

    /// <summary>At most this many neighbouring boxes are joined into one answer.</summary>
    private const int MaxJoinedBoxes = 16;

    private static readonly string[] BoxCommands = ["\\boxed", "\\fbox"];

    internal readonly record struct Span(int Start, int ContentStart, int ContentEnd, int End);

    /// <param name="wordAnswer">Whether a short text without any number or formula is its own answer ("Bob"):
    /// true for gold answers and already-extracted answers, false for model responses.</param>
    public static List<string> Candidates(string text, GradeOptions options, bool plainText, GradeBudget budget, bool wordAnswer = false)
    {
        var candidates = new List<string>(4);
        if (options.ReasoningDelimiters is { Count: > 0 } delimiters)
        {
            var cut = -1;
            foreach (var d in delimiters)
            {
                var at = text.LastIndexOf(d, StringComparison.Ordinal);
                if (at >= 0) cut = Math.Max(cut, at + d.Length);
            }
            if (cut < 0) return candidates;
            text = text[cut..];
        }
        if (text.Length > options.MaxInputChars) text = text[^options.MaxInputChars..];

        var boxed = Boxed(text, out var lastBoxEnd);
        budget.ThrowIfExpired();
        var envs = FindEnvironments(text, budget);
        // "The final answer is $X$. I hope it is correct." after the last box outranks the box (same priority, rightmost).
        // Anchors are looked for near the end only: the answer of a long response sits there.
        var anchorFrom = Math.Max(0, text.Length - AnchorWindow);
        var final = FinalAnswerIs().Match(text, anchorFrom, text.Length - anchorFrom);
        if (final.Success && final.Index > lastBoxEnd) AddAnchored(text, final.Index + final.Length, envs, plainText, candidates);
        if (boxed != null) candidates.Add(boxed);
        if (final.Success && final.Index <= lastBoxEnd) AddAnchored(text, final.Index + final.Length, envs, plainText, candidates);
        var anchor = Anchor().Match(text, anchorFrom, text.Length - anchorFrom);
        if (anchor.Success) AddAnchored(text, anchor.Index + anchor.Length, envs, plainText, candidates);

        // A short bare answer: one number, or a formula without prose.
        string? whole = null;
        if (plainText) whole = PlainNumberScanner.Whole(text) ?? (envs.Count == 0 && LooksLikeFormula(text) ? text.Trim() : null);
        if (whole != null) candidates.Add(whole);

        // Environments, a bare \frac{a}{b} and plain numbers compete on position: the rightmost first.
        var positioned = new List<(int End, string Text)>();
        for (var k = envs.Count - 1; k >= 0 && k >= envs.Count - 3; k--) positioned.Add((envs[k].End, JoinedBackward(text, envs, k)));
        if (LastBareFrac(text, envs) is { } frac) positioned.Add((frac.End, text[frac.Start..frac.End]));
        if (plainText && PlainNumberScanner.Last(text, 0, text.Length) is { } last) positioned.Add((last.End, last.Latex));
        positioned.Sort((a, b) => b.End.CompareTo(a.End));
        foreach (var p in positioned) candidates.Add(p.Text);

        // A short answer in words ("Bob", "all", "NNNYYY") is its own candidate when nothing else was found,
        // unless it has an answer anchor with nothing after it ("Answer is forty two." has no answer).
        if (wordAnswer && candidates.Count == 0 && !final.Success && !anchor.Success && text.Length <= MaxWordAnswer)
        {
            var trimmed = text.Trim();
            if (trimmed.Length > 0) candidates.Add(trimmed);
        }
        return candidates;
    }

    /// <summary>For a bare answer such as "8,12" that was read as the decimal 8.12, its other reading as a list
    /// (the gold of a list question); null when the text has no such ambiguity.</summary>
    public static string? DecimalCommaAlternative(string text)
    {
        if (text.Length > 64 || !text.Contains(',')) return null;
        var number = PlainNumberScanner.Whole(text);
        if (number == null || !number.Contains('.') || text.Contains('.')) return null;
        return LooksLikeFormula(text) ? text.Trim() : null;
    }

    /// <summary>The content of the last box, joined with earlier boxes that sit close to it
    /// (gap under 10 characters, or under 70 with "and"/"or"/","/";" in it), plus a percent sign after it.</summary>
    internal static string? Boxed(string text, out int lastBoxEnd)
    {
        lastBoxEnd = -1;
        var boxes = new List<Span>();
        var i = 0;
        // Next occurrence of each box command, refreshed only once passed (keeps the scan linear).
        var next = new int[BoxCommands.Length];
        for (var c = 0; c < BoxCommands.Length; c++) next[c] = text.IndexOf(BoxCommands[c], StringComparison.Ordinal);
        while (i < text.Length)
        {
            var at = -1;
            var command = "";
            for (var c = 0; c < BoxCommands.Length; c++)
            {
                if (next[c] >= 0 && next[c] < i) next[c] = text.IndexOf(BoxCommands[c], i, StringComparison.Ordinal);
                if (next[c] >= 0 && (at < 0 || next[c] < at)) { at = next[c]; command = BoxCommands[c]; }
            }
            if (at < 0) break;
            var j = at + command.Length;
            while (j < text.Length && text[j] == ' ') j++;
            if (j < text.Length && text[j] == '{')
            {
                var close = MatchBrace(text, j);
                if (close < 0) { boxes.Add(new Span(at, j + 1, text.Length, text.Length)); break; }
                boxes.Add(new Span(at, j + 1, close, close + 1));
                i = close + 1;
            }
            else
            {
                // \boxed 5: up to the next space or dollar.
                var end = j;
                while (end < text.Length && text[end] is not (' ' or '$' or '\n')) end++;
                if (end > j) boxes.Add(new Span(at, j, end, end));
                i = Math.Max(end, at + 1);
            }
        }
        if (boxes.Count == 0) return null;
        lastBoxEnd = boxes[^1].End;
        var first = boxes.Count - 1;
        while (first > 0 && boxes.Count - first < MaxJoinedBoxes && BoxesBelongTogether(text, boxes[first - 1].End, boxes[first].Start)) first--;
        var sb = new StringBuilder();
        for (var k = first; k < boxes.Count; k++)
        {
            if (sb.Length > 0) sb.Append(" , ");
            sb.Append(text, boxes[k].ContentStart, boxes[k].ContentEnd - boxes[k].ContentStart);
        }
        if (PercentAfter(text, boxes[^1].End)) sb.Append("\\%");
        return sb.ToString();
    }

    private static bool BoxesBelongTogether(string text, int gapStart, int gapEnd)
    {
        var length = gapEnd - gapStart;
        if (length < 10) return true;
        if (length >= 70) return false;
        var gap = text.AsSpan(gapStart, length);
        return gap.Contains("and", StringComparison.OrdinalIgnoreCase) || gap.Contains("or", StringComparison.Ordinal)
            || gap.Contains(',') || gap.Contains(';');
    }

    /// <summary>Index of the brace closing the one at <paramref name="open"/>; escaped braces \{ \} do not count.</summary>
    internal static int MatchBrace(string text, int open)
    {
        var depth = 0;
        for (var k = open; k < text.Length; k++)
        {
            var c = text[k];
            if (c == '\\' && k + 1 < text.Length && text[k + 1] is '{' or '}') { k++; continue; }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return k;
        }
        return -1;
    }

    /// <summary>A "%", "\%", "percent" or "pct" right after an answer (skipping closing $ and \) \]).</summary>
    private static bool PercentAfter(string text, int at)
    {
        var k = at;
        while (k < text.Length && (text[k] is ' ' or '$' || (text[k] == '\\' && k + 1 < text.Length && text[k + 1] is ')' or ']')))
            k += text[k] == '\\' ? 2 : 1;
        if (k >= text.Length) return false;
        if (text[k] == '%' || (text[k] == '\\' && k + 1 < text.Length && text[k + 1] == '%')) return true;
        return StartsWordAt(text, k, "percent") || StartsWordAt(text, k, "pct");
    }

    private static bool StartsWordAt(string text, int k, string word) =>
        string.Compare(text, k, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>All $$...$$, \[...\], $...$ and \(...\) environments, left to right ($ and \( must not span lines).</summary>
    internal static List<Span> FindEnvironments(string text, GradeBudget budget)
    {
        var spans = new List<Span>();
        var i = 0;
        var n = text.Length;
        var steps = 0;
        // The next closer at or after a position, remembered so that many unclosed openers cost one scan, not one each.
        var doubleDollar = new NextOccurrence(text, "$$");
        var bracketClose = new NextOccurrence(text, "\\]");
        var parenClose = new NextOccurrence(text, "\\)");
        while (i < n)
        {
            if ((++steps & 1023) == 0) budget.ThrowIfExpired();
            var c = text[i];
            if (c == '$' && (i == 0 || text[i - 1] != '\\'))
            {
                if (i + 1 < n && text[i + 1] == '$')
                {
                    var close = doubleDollar.From(i + 2);
                    if (close < 0) { i += 2; continue; }
                    spans.Add(new Span(i, i + 2, close, close + 2));
                    i = close + 2;
                    continue;
                }
                var end = FindUnescapedDollar(text, i + 1);
                if (end < 0) { i++; continue; }
                if (text.AsSpan(i + 1, end - i - 1).Contains('\n')) { i = end; continue; }
                spans.Add(new Span(i, i + 1, end, end + 1));
                i = end + 1;
                continue;
            }
            if (c == '\\' && i + 1 < n && text[i + 1] is '[' or '(')
            {
                var isParen = text[i + 1] == '(';
                var close = isParen ? parenClose.From(i + 2) : bracketClose.From(i + 2);
                if (close < 0) { i += 2; continue; }
                if (isParen && text.AsSpan(i + 2, close - i - 2).Contains('\n')) { i += 2; continue; }
                spans.Add(new Span(i, i + 2, close, close + 2));
                i = close + 2;
                continue;
            }
            i++;
        }
        return spans;
    }

    /// <summary>Forward-only search for one string: a query at or before the last answer's position reuses it.</summary>
    private sealed class NextOccurrence(string text, string value)
    {
        private int _searchedFrom = int.MaxValue;
        private int _found = -1;

        public int From(int position)
        {
            // A found occurrence at or after the position is still the next one; no occurrence after an earlier start means none now.
            if (_searchedFrom <= position && (_found < 0 || _found >= position)) return _found;
            _searchedFrom = position;
            _found = text.IndexOf(value, position, StringComparison.Ordinal);
            return _found;
        }
    }

    private static int FindUnescapedDollar(string text, int from)
    {
        for (var k = from; k < text.Length; k++)
        {
            if (text[k] == '$' && text[k - 1] != '\\') return k;
        }
        return -1;
    }

    /// <summary>Environment k plus up to four earlier ones joined to it by "and", "or" or ",".</summary>
    private static string JoinedBackward(string text, List<Span> envs, int k)
    {
        var first = k;
        while (first > 0 && k - first < 4 && IsJoiner(text.AsSpan(envs[first - 1].End, envs[first].Start - envs[first - 1].End))) first--;
        return JoinRange(text, envs, first, k);
    }

    private static string JoinRange(string text, List<Span> envs, int first, int last)
    {
        var sb = new StringBuilder();
        for (var j = first; j <= last; j++)
        {
            if (sb.Length > 0) sb.Append(" , ");
            sb.Append(text, envs[j].ContentStart, envs[j].ContentEnd - envs[j].ContentStart);
        }
        if (PercentAfter(text, envs[last].End)) sb.Append("\\%");
        return sb.ToString();
    }

    private static bool IsJoiner(ReadOnlySpan<char> gap)
    {
        var g = gap.Trim().Trim('"').Trim('\\').Trim();
        return g is "and" or "or" or "," or "\\text{and}" or "\\text{ and }" || g.Length == 0;
    }

    /// <summary>After an anchor: the first environment (with its and/or neighbours) or plain number, whichever comes first.</summary>
    private static void AddAnchored(string text, int from, List<Span> envs, bool plainText, List<string> candidates)
    {
        var to = Math.Min(text.Length, from + 400);
        if (ChoiceLetterAt(text, from, to) is { } letter)
        {
            candidates.Add(letter);
            return;
        }
        var envIndex = -1;
        for (var k = 0; k < envs.Count; k++)
        {
            if (envs[k].Start >= from && envs[k].Start < to) { envIndex = k; break; }
        }
        var number = plainText ? PlainNumberScanner.First(text, from, to) : null;
        // A number that sits inside an environment is that environment's business.
        if (number is { } num && envIndex >= 0 && num.Start >= envs[envIndex].Start) number = null;
        if (envIndex >= 0 && (number == null || envs[envIndex].Start < number.Value.Start))
        {
            var last = envIndex;
            while (last + 1 < envs.Count && last - envIndex < 4 && IsJoiner(text.AsSpan(envs[last].End, envs[last + 1].Start - envs[last].End))) last++;
            candidates.Add(JoinRange(text, envs, envIndex, last));
            return;
        }
        if (number is { } n)
        {
            // "réponse est (35 + 70 = 105)": the value after the last "=" of the sentence.
            var sentenceEnd = n.End;
            while (sentenceEnd < to && text[sentenceEnd] != '\n' && !(text[sentenceEnd] == '.' && (sentenceEnd + 1 >= to || text[sentenceEnd + 1] == ' '))) sentenceEnd++;
            var equals = text.LastIndexOf('=', Math.Max(n.Start, sentenceEnd - 1), Math.Max(0, sentenceEnd - n.Start));
            if (equals > n.Start && PlainNumberScanner.First(text, equals + 1, sentenceEnd) is { } after) n = after;
            candidates.Add(n.Latex);
        }
    }

    /// <summary>A multiple-choice letter right after an anchor: "is (B)", ": C.", "is $\textbf{(D)}$".</summary>
    private static string? ChoiceLetterAt(string text, int from, int to)
    {
        var k = from;
        while (k < to && (text[k] is ' ' or ':' or '$' or '*' or '\n')) k++;
        foreach (var wrapper in ChoiceWrappers)
        {
            if (string.CompareOrdinal(text, k, wrapper, 0, wrapper.Length) == 0) { k += wrapper.Length; break; }
        }
        var parenthesised = k < to && text[k] == '(';
        if (parenthesised) k++;
        if (k >= to || text[k] is < 'A' or > 'E') return null;
        var letter = text[k];
        k++;
        if (parenthesised) return k < to && text[k] == ')' ? letter.ToString() : null;
        // A bare letter must stand alone: "A." or "B," or the end, not the first letter of a word ("A number").
        return k >= to || text[k] is '.' or ',' or ')' or '}' or '$' or '\n' or ';' ? letter.ToString() : null;
    }

    private static readonly string[] ChoiceWrappers = ["\\textbf{", "\\text{", "\\mathrm{", "**"];

    /// <summary>The last \frac{..}{..} (or \dfrac, \tfrac) written outside any environment, as Math-Verify's bare-fraction pattern.</summary>
    private static (int Start, int End)? LastBareFrac(string text, List<Span> envs)
    {
        var at = text.LastIndexOf("frac{", StringComparison.Ordinal);
        // Only the last few occurrences are tried: nested or unbalanced fractions would make this quadratic.
        for (var tries = 0; at > 0 && tries < 8; tries++)
        {
            var start = at - 1;
            if (text[start] == 'd' || text[start] == 't' || text[start] == 'c') start--;
            if (start >= 0 && text[start] == '\\' && !Inside(envs, start))
            {
                var numClose = MatchBrace(text, at + 4);
                if (numClose > 0 && numClose + 1 < text.Length && text[numClose + 1] == '{')
                {
                    var denClose = MatchBrace(text, numClose + 1);
                    if (denClose > 0)
                    {
                        // Include a leading minus sign.
                        var s = start;
                        var k = s - 1;
                        while (k >= 0 && text[k] == ' ') k--;
                        if (k >= 0 && text[k] == '-') s = k;
                        return (s, denClose + 1);
                    }
                }
            }
            at = at >= 1 ? text.LastIndexOf("frac{", at - 1, StringComparison.Ordinal) : -1;
        }
        return null;
    }

    private static bool Inside(List<Span> envs, int position)
    {
        foreach (var e in envs) if (position >= e.Start && position < e.End) return true;
        return false;
    }

    private static bool IsJoinWord(string text, int start)
    {
        var end = start;
        while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
        var word = text.AsSpan(start, end - start);
        var before = start == 0 || !char.IsAsciiLetter(text[start - 1]);
        return before && (word.SequenceEqual("and") || word.SequenceEqual("or"));
    }

    /// <summary>A short text that is a formula rather than prose: no run of three letters outside \commands and \text{}.</summary>
    private static bool LooksLikeFormula(string text)
    {
        if (text.Length > 1000) return false;
        var run = 0;
        for (var k = 0; k < text.Length; k++)
        {
            var c = text[k];
            if (c == '\\')
            {
                var j = k + 1;
                while (j < text.Length && char.IsAsciiLetter(text[j])) j++;
                var name = text[(k + 1)..j];
                if (name is "text" or "mbox" or "textbf" or "mathrm" or "begin" or "end" && j < text.Length && text[j] == '{')
                {
                    var close = MatchBrace(text, j);
                    if (close < 0) return false;
                    j = close + 1;
                }
                k = j - 1;
                run = 0;
                continue;
            }
            if (char.IsAsciiLetter(c))
            {
                // "and" / "or" join answers ("9 and -7"); other words of three letters or more are prose.
                if (++run >= 3 && !IsJoinWord(text, k - run + 1)) return false;
            }
            else
            {
                run = 0;
                if (c > 127 && !"−×·÷≤≥≠±π√∞".Contains(c)) return false;
            }
        }
        return true;
    }
}
