using System.Text;

namespace Rlvr.Grading.Verify;

/// <summary>
/// Finds numbers written in running text, the way people write them: 7,425,000 and 1 000 (thousands),
/// 1000,99 and 0,111 (decimal comma), .4, -5, 2/3, and an optional percent sign or word after them.
/// Returns each as a canonical LaTeX string (1000.99, -5, 2/3, 28\%).
/// </summary>
internal static class PlainNumberScanner
{
    internal readonly record struct Found(int Start, int End, string Latex);

    /// <summary>The number that starts at or after <paramref name="from"/>, or null.</summary>
    public static Found? First(string text, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (StartsNumber(text, i) && TryRead(text, i, to, out var found)) return found;
        }
        return null;
    }

    /// <summary>The last number in text[from..to), or null. Scans back from the end to the last digit, then reads
    /// forward from the start of the run of number characters around it (cost independent of the text's length).</summary>
    public static Found? Last(string text, int from, int to)
    {
        var p = to - 1;
        while (p >= from && !char.IsAsciiDigit(text[p])) p--;
        while (p >= from)
        {
            var start = p;
            while (start > from && p - start < 200 && (char.IsAsciiDigit(text[start - 1]) || text[start - 1] is '.' or ',' or ' ' or '/' or '-' or '+'))
                start--;
            Found? last = null;
            var i = start;
            while (i <= p)
            {
                if (StartsNumber(text, i) && TryRead(text, i, to, out var found))
                {
                    if (found.End > p) last = found;
                    i = Math.Max(found.End, i + 1);
                    continue;
                }
                i++;
            }
            if (last != null) return last;
            // The digits at p belong to no number (e.g. "K2A"): look further left.
            p = start - 1;
            while (p >= from && !char.IsAsciiDigit(text[p])) p--;
        }
        return null;
    }

    /// <summary>Whether the whole trimmed text is one plain number (then the number reading wins over LaTeX's "1,22" = {1, 22}).</summary>
    public static string? Whole(string text)
    {
        var t = text.Trim().TrimEnd('.').Trim();
        if (t.Length == 0 || t.Length > 64) return null;
        // One "$" is a currency sign ($1,000.99); two make a LaTeX environment ($-2,1$ is a list).
        var dollars = t.AsSpan().Count('$');
        if (dollars > 1) return null;
        var start = 0;
        while (start < t.Length && (t[start] == '$' || t[start] == ' ')) start++;
        if (start >= t.Length || !StartsNumber(t, start)) return null;
        if (!TryRead(t, start, t.Length, out var found)) return null;
        var rest = t[found.End..].Trim().Trim('$').Trim();
        return rest.Length == 0 ? found.Latex : null;
    }

    private static bool StartsNumber(string text, int i)
    {
        var c = text[i];
        if (!(char.IsAsciiDigit(c) || (c is '.' or '-' or '+' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))) return false;
        if (i > 0)
        {
            var p = text[i - 1];
            // "AZYUK2A" holds no number; neither does the middle of 12 or of x_2, 2^3, \frac12.
            if (char.IsAsciiLetter(p) || char.IsAsciiDigit(p) || p is '_' or '^' or '\\' or '.' or '{') return false;
            if ((c is '-' or '+') && (char.IsAsciiDigit(p) || p == ')')) return false;
        }
        return true;
    }

    private static bool TryRead(string text, int i, int to, out Found found)
    {
        found = default;
        var start = i;
        var sb = new StringBuilder();
        if (text[i] is '-' or '+') { if (text[i] == '-') sb.Append('-'); i++; }
        var intStart = i;
        while (i < to && char.IsAsciiDigit(text[i])) sb.Append(text[i++]);
        var intLength = i - intStart;
        if (intLength > 0 && intLength <= 3 && text[intStart] != '0')
        {
            // Thousands groups: ",ddd" repeated, or " ddd" repeated (1 000).
            foreach (var separator in new[] { ',', ' ' })
            {
                var j = i;
                var groups = new StringBuilder();
                while (j + 3 < to + 0 + 1 && j < to && text[j] == separator && IsGroup(text, j + 1, to)) { groups.Append(text, j + 1, 3); j += 4; }
                if (groups.Length > 0) { sb.Append(groups); i = j; break; }
            }
        }
        if (i + 1 < to && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            sb.Append('.');
            i++;
            while (i < to && char.IsAsciiDigit(text[i])) sb.Append(text[i++]);
        }
        else if (i + 1 < to && text[i] == ',' && char.IsAsciiDigit(text[i + 1]) && intLength > 0)
        {
            // Decimal comma: 1000,99 and 0,111 (a ",ddd" after 1-3 digits was read as thousands above).
            var j = i + 1;
            while (j < to && char.IsAsciiDigit(text[j])) j++;
            // One digit after the comma ("-2,1") reads as a list, not a decimal.
            var fraction = j - i - 1;
            if ((fraction != 3 || intLength > 3 || text[intStart] == '0') && (fraction >= 2 || text[intStart] == '0'))
            {
                sb.Append('.').Append(text, i + 1, j - i - 1);
                i = j;
            }
        }
        if (sb.Length == 0 || sb.ToString() is "-" or ".") return false;
        // A simple fraction: 2/3, 13/28.
        if (i + 1 < to && text[i] == '/' && char.IsAsciiDigit(text[i + 1]))
        {
            var j = i + 1;
            while (j < to && char.IsAsciiDigit(text[j])) j++;
            if (j >= to || !(text[j] is '.' && j + 1 < to && char.IsAsciiDigit(text[j + 1])))
            {
                sb.Append('/').Append(text, i + 1, j - i - 1);
                i = j;
            }
        }
        var end = i;
        // A percent sign or word right after it.
        var k = i;
        while (k < to && text[k] == ' ') k++;
        if (k < to && text[k] == '%') { sb.Append("\\%"); end = k + 1; }
        else if (k + 1 < to && text[k] == '\\' && text[k + 1] == '%') { sb.Append("\\%"); end = k + 2; }
        else
        {
            foreach (var word in new[] { "percentage", "percent", "pct" })
            {
                if (string.CompareOrdinal(text, k, word, 0, word.Length) == 0 && (k + word.Length >= to || !char.IsAsciiLetter(text[k + word.Length])))
                {
                    sb.Append("\\%");
                    end = k + word.Length;
                    break;
                }
            }
        }
        found = new Found(start, end, sb.ToString());
        return true;
    }

    private static bool IsGroup(string text, int at, int to) =>
        at + 2 < to && char.IsAsciiDigit(text[at]) && char.IsAsciiDigit(text[at + 1]) && char.IsAsciiDigit(text[at + 2])
        && (at + 3 >= to || !char.IsAsciiDigit(text[at + 3]));
}
