using System.Text;

namespace Rlvr.Grading.Symbolic;

/// <summary>Which surface syntax a string is written in.</summary>
public enum MathSyntax
{
    /// <summary>LaTeX as models and datasets write it (\frac, \sqrt, implicit products, e and i are constants).</summary>
    Latex,
    /// <summary>sympy-style plain text (`**`, sqrt(2), pi, E and I are constants, e and i are symbols).</summary>
    Plain,
}

/// <summary>
/// Splits a math string into tokens. Presentation-only LaTeX (\left, \right, spacing, \displaystyle,
/// degree signs, dollar signs) is dropped here so that the parser sees only the mathematics.
/// </summary>
internal static partial class MathTokenizer
{
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=\d)\s*\{,\s*\}\s*(?=\d)")]
    private static partial System.Text.RegularExpressions.Regex ThousandsBraces();

    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr",
        "mleft", "mright", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "quad", "qquad",
        "circ", "degree", "degrees", "dots", "ldots", "cdots", "hfill", "newline", "middle", "noindent", "phantom",
        "enspace", "thinspace", "medspace", "thickspace", "hspace", "vspace", "boxed", "fbox", "tag", "nonumber",
    };

    /// <summary>Commands whose brace argument is plain text.</summary>
    private static readonly HashSet<string> TextCommands = new(StringComparer.Ordinal)
    {
        "text", "textbf", "textit", "textrm", "textnormal", "textsf", "texttt", "mbox", "mathrm", "mathit",
        "mathbf", "mathsf", "mathtt", "operatorname", "mathbb", "mathcal", "mathfrak", "boldsymbol", "bm", "hbox", "emph",
    };

    /// <summary>Unknown command names that are really a known command glued to a letter (\quadx, \cdotx).</summary>
    private static readonly string[] GluedPrefixes = ["qquad", "quad", "cdot", "times", "infty", "pi", "pm", "div"];

    /// <summary>How deep \mathbf{\mathbf{...}} may nest (each level is tokenised again).</summary>
    private const int MaxTextDepth = 4;

    public static List<MathToken> Tokenize(string text, MathSyntax syntax, GradeBudget? budget) => Tokenize(text, syntax, budget, 0);

    private static List<MathToken> Tokenize(string text, MathSyntax syntax, GradeBudget? budget, int textDepth)
    {
        if (textDepth > MaxTextDepth) throw new MathLimitException("text nested too deeply");
        // "{,}" and ",\!" are LaTeX's ways to write a thousands comma (14{,}916, 11,\! 111).
        if (text.Contains("{,", StringComparison.Ordinal)) text = ThousandsBraces().Replace(text, ",");
        if (text.Contains(",\\!", StringComparison.Ordinal)) text = text.Replace(",\\! ", ",", StringComparison.Ordinal).Replace(",\\!", ",", StringComparison.Ordinal);
        var tokens = new List<MathToken>(Math.Min(text.Length, 4096) / 2 + 4);
        var bracketDepth = 0;
        var matrixDepth = 0;
        var i = 0;
        var n = text.Length;
        while (i < n)
        {
            if ((i & 1023) == 0) budget?.ThrowIfExpired();
            var c = text[i];
            // Blanks, math delimiters and quotes ("$12$ and $13$" quoted by a model) carry no mathematics.
            if (char.IsWhiteSpace(c) || c is '$' or '~' or '"' or '“' or '”') { i++; continue; }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < n && char.IsAsciiDigit(text[i + 1])))
            {
                i = ReadNumber(text, i, bracketDepth == 0 && matrixDepth == 0, tokens);
                continue;
            }
            if (char.IsAsciiLetter(c))
            {
                var start = i;
                while (i < n && char.IsAsciiLetter(text[i])) i++;
                tokens.Add(new MathToken(TokenKind.Letters, text[start..i]));
                continue;
            }
            if (c == '\\')
            {
                i = ReadBackslash(text, i, syntax, ref matrixDepth, tokens, budget, textDepth);
                continue;
            }
            switch (c)
            {
                case '*':
                    if (i + 1 < n && text[i + 1] == '*') { tokens.Add(Punct("^")); i += 2; }
                    else { tokens.Add(Punct("*")); i++; }
                    continue;
                case '<' or '>' or '!' or '=':
                    if (i + 1 < n && text[i + 1] == '=')
                    {
                        tokens.Add(Punct(c == '=' ? "=" : c + "=")); i += 2;
                    }
                    else if (c == '<' && i + 1 < n && text[i + 1] == '>') { tokens.Add(Punct("!=")); i += 2; }
                    else { tokens.Add(Punct(c.ToString())); i++; }
                    continue;
                case '(' or '[': bracketDepth++; tokens.Add(Punct(c.ToString())); i++; continue;
                case ')' or ']': bracketDepth = Math.Max(0, bracketDepth - 1); tokens.Add(Punct(c.ToString())); i++; continue;
                case '{':
                    tokens.Add(Punct("{")); i++; continue;
                case '}' or '+' or '-' or '/' or '^' or '_' or ',' or ';' or '|' or '%' or ':' or '\'':
                    tokens.Add(Punct(c.ToString())); i++; continue;
                case '&': tokens.Add(new MathToken(TokenKind.CellSep, "&")); i++; continue;
                case '−' or '–': tokens.Add(Punct("-")); i++; continue;
                case '×' or '·' or '⋅': tokens.Add(Punct("*")); i++; continue;
                case '÷': tokens.Add(Punct("/")); i++; continue;
                case '≤': tokens.Add(Punct("<=")); i++; continue;
                case '≥': tokens.Add(Punct(">=")); i++; continue;
                case '≠': tokens.Add(Punct("!=")); i++; continue;
                case '±': tokens.Add(new MathToken(TokenKind.Command, "pm")); i++; continue;
                case 'π': tokens.Add(new MathToken(TokenKind.Command, "pi")); i++; continue;
                case '∞': tokens.Add(new MathToken(TokenKind.Command, "infty")); i++; continue;
                case '√': tokens.Add(new MathToken(TokenKind.Command, "sqrt")); i++; continue;
                case '∪': tokens.Add(new MathToken(TokenKind.Command, "cup")); i++; continue;
                case '°': i++; continue;
                case '²': tokens.Add(Punct("^")); tokens.Add(new MathToken(TokenKind.Number, "2")); i++; continue;
                case '³': tokens.Add(Punct("^")); tokens.Add(new MathToken(TokenKind.Number, "3")); i++; continue;
                default:
                    // Any other character is not mathematics we understand.
                    throw new FormatException($"unexpected character '{c}'");
            }
        }
        return tokens;
    }

    private static MathToken Punct(string text) => new(TokenKind.Punct, text);

    /// <summary>Reads 12, 3.25, .5, 1,234,567.8 (thousands only outside brackets), 1.5e-3.</summary>
    private static int ReadNumber(string text, int i, bool allowThousands, List<MathToken> tokens)
    {
        var n = text.Length;
        var sb = new StringBuilder();
        var start = i;
        while (i < n && char.IsAsciiDigit(text[i])) sb.Append(text[i++]);
        if (allowThousands && i - start is >= 1 and <= 3 && text[start] != '0')
        {
            // 1,234,567: every group after a comma has exactly three digits.
            // 1,234,567 or 1\,000\,000: every group after a separator has exactly three digits.
            while (true)
            {
                var separator = ThousandsSeparatorLength(text, i);
                if (separator == 0) break;
                var at = i + separator;
                if (!HasThreeDigits(text, at) || (at + 3 < n && char.IsAsciiDigit(text[at + 3]))) break;
                sb.Append(text, at, 3);
                i = at + 3;
            }
        }
        if (i + 1 < n && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            sb.Append('.');
            i++;
            while (i < n && char.IsAsciiDigit(text[i])) sb.Append(text[i++]);
        }
        // A repeating decimal: 67.\overline{3} (also 0.1\overline{6}) is written "67.(3)" for BigRational.ParseDecimal.
        var overlineAt = i;
        if (overlineAt < n && text[overlineAt] == '.' && !sb.ToString().Contains('.')) overlineAt++;
        if (string.CompareOrdinal(text, overlineAt, "\\overline{", 0, 10) == 0)
        {
            var close = text.IndexOf('}', overlineAt + 10);
            if (close > overlineAt + 10 && close - overlineAt - 10 <= 50 && text.AsSpan(overlineAt + 10, close - overlineAt - 10).IndexOfAnyExceptInRange('0', '9') < 0)
            {
                if (!sb.ToString().Contains('.')) sb.Append('.');
                sb.Append('(').Append(text, overlineAt + 10, close - overlineAt - 10).Append(')');
                tokens.Add(new MathToken(TokenKind.Number, sb.ToString()));
                return close + 1;
            }
        }
        // Scientific notation: 1.5e-3, 2E+5, 1e5.
        if (i + 1 < n && (text[i] == 'e' || text[i] == 'E'))
        {
            var j = i + 1;
            if (j < n && (text[j] == '+' || text[j] == '-')) j++;
            var digitsStart = j;
            while (j < n && char.IsAsciiDigit(text[j])) j++;
            if (j > digitsStart && (j >= n || !char.IsAsciiLetter(text[j])))
            {
                sb.Append('e').Append(text, i + 1, j - i - 1);
                i = j;
            }
        }
        tokens.Add(new MathToken(TokenKind.Number, sb.ToString()));
        return i;
    }

    /// <summary>Length of a thousands separator at i: "," or a LaTeX thin space (\, \; \! "\ ") with optional blanks.</summary>
    private static int ThousandsSeparatorLength(string text, int i)
    {
        var n = text.Length;
        if (i >= n) return 0;
        var k = i;
        // "32, 349" is a list: a comma separates thousands only when no blank follows it.
        if (text[k] == ',') return 1;
        if (text[k] == '\\' && k + 1 < n && text[k + 1] is ',' or ';' or '!' or ' ' or ':') k += 2;
        else return 0;
        while (k < n && text[k] == ' ') k++;
        return k - i;
    }

    private static bool HasThreeDigits(string text, int at) =>
        at + 2 < text.Length && char.IsAsciiDigit(text[at]) && char.IsAsciiDigit(text[at + 1]) && char.IsAsciiDigit(text[at + 2]);

    private static int ReadBackslash(string text, int i, MathSyntax syntax, ref int matrixDepth, List<MathToken> tokens, GradeBudget? budget, int textDepth)
    {
        var n = text.Length;
        if (i + 1 >= n) return i + 1;
        var next = text[i + 1];
        if (next == '\\')
        {
            // "\\frac" is an over-escaped \frac, unless we are inside a matrix where \\ ends a row.
            if (matrixDepth == 0 && i + 2 < n && char.IsAsciiLetter(text[i + 2])) return i + 1;
            tokens.Add(new MathToken(TokenKind.RowSep, "\\\\"));
            return i + 2;
        }
        if (!char.IsAsciiLetter(next))
        {
            switch (next)
            {
                case '{': tokens.Add(new MathToken(TokenKind.SetOpen, "\\{")); break;
                case '}': tokens.Add(new MathToken(TokenKind.SetClose, "\\}")); break;
                case '%': tokens.Add(Punct("%")); break;
                case '|': tokens.Add(Punct("|")); break;
                case '(' or '[' or ')' or ']' or '$' or ',' or ';' or ':' or '!' or ' ' or '>' or '\n' or '\t': break; // spacing or math delimiters
                default: tokens.Add(Punct(next.ToString())); break;
            }
            return i + 2;
        }
        var start = i + 1;
        var j = start;
        while (j < n && char.IsAsciiLetter(text[j])) j++;
        var name = text[start..j];
        if (name is "begin" or "end")
        {
            var (env, after) = ReadBraceGroup(text, j);
            if (env == null) return j;
            env = env.Trim().TrimEnd('*');
            var isMatrix = env.EndsWith("matrix", StringComparison.Ordinal) || env is "array" or "cases" or "aligned" or "align" or "gathered";
            if (name == "begin")
            {
                if (isMatrix) matrixDepth++;
                tokens.Add(new MathToken(TokenKind.Begin, env));
                // \begin{array}{cc}: skip the column specification.
                if (env == "array")
                {
                    var (_, afterSpec) = ReadBraceGroup(text, after);
                    if (afterSpec > after) after = afterSpec;
                }
            }
            else
            {
                if (isMatrix) matrixDepth = Math.Max(0, matrixDepth - 1);
                tokens.Add(new MathToken(TokenKind.EndEnv, env));
            }
            return after;
        }
        if (TextCommands.Contains(name))
        {
            var (content, after) = ReadBraceGroup(text, j);
            if (content == null) return j;
            AddText(content, name, syntax, tokens, budget, textDepth);
            return after;
        }
        if (Skipped.Contains(name))
        {
            // 90^\circ and 90^{\circ}: a degree sign is no exponent.
            if (name is "circ" or "degree" && tokens.Count > 0 && tokens[^1].Is("^")) tokens.RemoveAt(tokens.Count - 1);
            if (name is "circ" or "degree" && tokens.Count > 1 && tokens[^1].Is("{") && tokens[^2].Is("^"))
            {
                tokens.RemoveRange(tokens.Count - 2, 2);
                var k = j;
                while (k < n && text[k] == ' ') k++;
                if (k < n && text[k] == '}') return k + 1;
            }
            // \left. and \right. are invisible delimiters.
            if ((name is "left" or "right") && j < n && text[j] == '.') return j + 1;
            if (name is "hspace" or "vspace" or "phantom" or "tag") { var (_, after) = ReadBraceGroup(text, j); return Math.Max(after, j); }
            return j;
        }
        if (!MathParser.IsKnownCommand(name))
        {
            foreach (var prefix in GluedPrefixes)
            {
                if (name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    if (!Skipped.Contains(prefix)) tokens.Add(new MathToken(TokenKind.Command, prefix));
                    return start + prefix.Length;
                }
            }
        }
        tokens.Add(new MathToken(TokenKind.Command, name));
        return j;
    }

    /// <summary>Reads "{...}" (balanced) starting at or after spaces from <paramref name="i"/>; returns (content, index after).</summary>
    internal static (string? Content, int After) ReadBraceGroup(string text, int i)
    {
        var n = text.Length;
        while (i < n && text[i] == ' ') i++;
        if (i >= n || text[i] != '{') return (null, i);
        var depth = 0;
        for (var j = i; j < n; j++)
        {
            if (text[j] == '\\' && j + 1 < n) { j++; continue; }
            if (text[j] == '{') depth++;
            else if (text[j] == '}' && --depth == 0) return (text[(i + 1)..j], j + 1);
        }
        return (null, i);
    }

    private static void AddText(string content, string command, MathSyntax syntax, List<MathToken> tokens, GradeBudget? budget, int textDepth)
    {
        var trimmed = content.Trim();
        if (trimmed.Length == 0) return;
        if (trimmed is "and" or "or" or "," or "und" or "et") { tokens.Add(Punct(",")); return; }
        if (trimmed is "%" or "percent" or "percentage" or "pct") { tokens.Add(Punct("%")); return; }
        if (command is "mathbb" or "mathcal" or "mathfrak" || trimmed.Length == 1 && char.IsAsciiLetter(trimmed[0]))
        {
            tokens.Add(new MathToken(TokenKind.Letters, trimmed));
            return;
        }
        // Math inside \mathbf{...} or \boldsymbol{...} is mathematics, not words.
        if (command is "mathbf" or "boldsymbol" or "bm" or "mathrm" or "operatorname" && !IsWord(trimmed))
        {
            try { tokens.AddRange(Tokenize(trimmed, syntax, budget, textDepth + 1)); return; } catch (FormatException) { }
        }
        if (IsNumberText(trimmed))
        {
            tokens.AddRange(Tokenize(trimmed, syntax, budget, textDepth + 1));
            return;
        }
        tokens.Add(new MathToken(TokenKind.Text, trimmed));
    }

    private static bool IsWord(string s)
    {
        foreach (var ch in s) if (!char.IsLetter(ch) && ch != ' ') return false;
        return true;
    }

    private static bool IsNumberText(string s)
    {
        foreach (var ch in s) if (!char.IsAsciiDigit(ch) && ch != '.' && ch != ',') return false;
        return true;
    }
}
