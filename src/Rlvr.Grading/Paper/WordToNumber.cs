using System.Numerics;

namespace Rlvr.Grading.Paper;

/// <summary>
/// A port of the <c>word2number</c> package's <c>w2n.word_to_num</c> (1.1), which Qwen2.5-Math's
/// <c>strip_string</c> applies to every answer. Words that are not number words are ignored, so
/// "five apples" becomes "5"; a string without number words is left alone.
/// </summary>
internal static class WordToNumber
{
    private static readonly Dictionary<string, long> NumberWords = new()
    {
        ["zero"] = 0, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6,
        ["seven"] = 7, ["eight"] = 8, ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12,
        ["thirteen"] = 13, ["fourteen"] = 14, ["fifteen"] = 15, ["sixteen"] = 16, ["seventeen"] = 17,
        ["eighteen"] = 18, ["nineteen"] = 19, ["twenty"] = 20, ["thirty"] = 30, ["forty"] = 40,
        ["fifty"] = 50, ["sixty"] = 60, ["seventy"] = 70, ["eighty"] = 80, ["ninety"] = 90,
        ["hundred"] = 100, ["thousand"] = 1000, ["million"] = 1_000_000, ["billion"] = 1_000_000_000,
    };

    private static readonly string[] DecimalWords =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    /// <summary>Qwen's <c>convert_word_number</c>: the converted number as Python prints it, or the input
    /// unchanged wherever <c>word_to_num</c> would raise.</summary>
    public static string ConvertOrKeep(string text)
    {
        try
        {
            return TryConvert(text, out var converted) ? converted : text;
        }
        catch (FormatException)
        {
            return text; // word_to_num raised (e.g. "thousand" with nothing before it)
        }
    }

    private static bool TryConvert(string sentence, out string result)
    {
        result = "";
        var text = sentence.Replace('-', ' ').ToLowerInvariant();
        // str.isdigit() followed by int(): "070" -> "70". (Unicode digits other than 0-9 make int() raise.)
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            var digits = text.TrimStart('0');
            result = digits.Length == 0 ? "0" : digits;
            return true;
        }
        if (text.Length > 0 && text.All(char.IsDigit)) return false;

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(w => NumberWords.ContainsKey(w) || w == "point").ToList();
        if (words.Count == 0) return false;
        if (words.Count(w => w == "thousand") > 1 || words.Count(w => w == "million") > 1
            || words.Count(w => w == "billion") > 1 || words.Count(w => w == "point") > 1) return false;

        List<string> decimals = [];
        var point = words.IndexOf("point");
        if (point >= 0)
        {
            decimals = words.Skip(point + 1).ToList();
            words = words.Take(point).ToList();
        }

        var billion = words.IndexOf("billion");
        var million = words.IndexOf("million");
        var thousand = words.IndexOf("thousand");
        if ((thousand > -1 && (thousand < million || thousand < billion)) || (million > -1 && million < billion)) return false;

        BigInteger total = 0;
        if (words.Count == 1)
        {
            total = NumberWords[words[0]];
        }
        else if (words.Count > 1)
        {
            if (billion > -1) total += Formation(words[..billion]) * 1_000_000_000;
            if (million > -1)
                total += Formation(billion > -1 ? words[(billion + 1)..million] : words[..million]) * 1_000_000;
            if (thousand > -1)
            {
                var from = million > -1 ? million + 1 : billion > -1 ? billion + 1 : 0;
                total += Formation(words[from..thousand]) * 1000;
            }
            long hundreds;
            if (thousand > -1 && thousand != words.Count - 1) hundreds = Formation(words[(thousand + 1)..]);
            else if (million > -1 && million != words.Count - 1) hundreds = Formation(words[(million + 1)..]);
            else if (billion > -1 && billion != words.Count - 1) hundreds = Formation(words[(billion + 1)..]);
            else if (thousand == -1 && million == -1 && billion == -1) hundreds = Formation(words);
            else hundreds = 0;
            total += hundreds;
        }

        if (decimals.Count > 0)
        {
            // get_decimal_sum returns the int 0 for a non-digit word, else a float: int + float prints as float.
            if (decimals.Any(w => !DecimalWords.Contains(w)))
            {
                result = total.ToString();
                return true;
            }
            var fraction = double.Parse("0." + string.Concat(decimals.Select(w => NumberWords[w])), System.Globalization.CultureInfo.InvariantCulture);
            result = PythonText.FloatToString((double)total + fraction);
            return true;
        }
        result = total.ToString();
        return true;
    }

    // word2number's number_formation: at most four words such as "two hundred thirty four".
    private static long Formation(List<string> words)
    {
        if (words.Count == 0) throw new FormatException("empty number group");
        var n = words.Select(w => NumberWords[w]).ToList();
        return n.Count switch
        {
            4 => n[0] * n[1] + n[2] + n[3],
            3 => n[0] * n[1] + n[2],
            2 => n.Contains(100) ? n[0] * n[1] : n[0] + n[1],
            _ => n[0],
        };
    }
}
