using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Rlvr.Torch.Tokenization;

/// <summary>
/// Splits text into pieces with a Hugging Face pre-tokenizer regex, behaviour "Isolated": every match
/// is a piece, and so is every stretch of text between matches.
/// </summary>
/// <remarks>
/// Why the mapping: HF runs the regex (Rust `fancy-regex`/Oniguruma) over code points, while .NET's
/// Regex sees UTF-16 units, so a character outside the BMP would reach it as two surrogates of
/// category Cs and could split differently (for example a supplementary letter such as U+20000 would
/// not count as \p{L}). When the text holds surrogate pairs we therefore run the regex over a copy in
/// which each pair is replaced by one BMP stand-in of the same class (letter, number or other) and
/// map the match boundaries back to the original text.
/// </remarks>
public sealed class RegexSplitter
{
    private const char LetterStandIn = '\u4E00';  // CJK ideograph: \p{L}, not one of the contraction letters
    private const char NumberStandIn = '\u0660';  // Arabic-Indic digit zero: \p{N}
    private const char OtherStandIn = '\u2600';   // black sun with rays: \p{So}, not whitespace

    private readonly Regex _regex;

    public RegexSplitter(string pattern)
    {
        try
        {
            _regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"tokenizer.json: pre-tokenizer regex is not valid for .NET: {e.Message}");
        }
    }

    /// <summary>The pattern as given.</summary>
    public string Pattern => _regex.ToString();

    /// <summary>Appends the pieces of <paramref name="text"/> to <paramref name="pieces"/>.</summary>
    public void Split(string text, List<string> pieces)
    {
        if (text.Length == 0) return;
        if (!HasSurrogates(text))
        {
            SplitMapped(text, text, null, pieces);
            return;
        }
        var (mapped, offsets) = MapSupplementary(text);
        SplitMapped(mapped, text, offsets, pieces);
    }

    private void SplitMapped(string mapped, string original, int[]? offsets, List<string> pieces)
    {
        var last = 0;
        for (var m = _regex.Match(mapped); m.Success; m = m.NextMatch())
        {
            if (m.Length == 0) continue;
            if (m.Index > last) pieces.Add(Slice(original, offsets, last, m.Index));
            pieces.Add(Slice(original, offsets, m.Index, m.Index + m.Length));
            last = m.Index + m.Length;
        }
        if (last < mapped.Length) pieces.Add(Slice(original, offsets, last, mapped.Length));
    }

    private static string Slice(string original, int[]? offsets, int start, int end)
    {
        if (offsets == null) return original.Substring(start, end - start);
        return original.Substring(offsets[start], offsets[end] - offsets[start]);
    }

    private static bool HasSurrogates(string text)
    {
        foreach (var c in text)
        {
            if (char.IsSurrogate(c)) return true;
        }
        return false;
    }

    /// <summary>One char per code point; offsets[i] is where mapped char i starts in the original
    /// (offsets[mapped.Length] is the original length).</summary>
    private static (string Mapped, int[] Offsets) MapSupplementary(string text)
    {
        var mapped = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                mapped.Append(StandIn(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))));
                i++;
            }
            else
            {
                mapped.Append(text[i]);
            }
        }
        offsets.Add(text.Length);
        return (mapped.ToString(), offsets.ToArray());
    }

    private static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => LetterStandIn,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => NumberStandIn,
        _ => OtherStandIn,
    };
}
