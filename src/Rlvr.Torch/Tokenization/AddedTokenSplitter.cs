namespace Rlvr.Torch.Tokenization;

/// <summary>
/// Cuts text at occurrences of added tokens (specials such as `&lt;|im_end|&gt;`), so that those are kept
/// whole and only the text between them goes through normalisation and BPE. At each position the
/// longest token that starts there wins (HF's leftmost-longest match).
/// </summary>
/// <remarks>
/// Not modelled: HF's "single_word" flag (match only at word boundaries) and "normalized": true tokens
/// being matched in the normalised rather than the raw text. Neither occurs in the specials of the
/// Qwen2, Llama 3 or OLMo 2 tokenizers (all single_word false, normalized false).
/// </remarks>
public sealed class AddedTokenSplitter
{
    /// <summary>A run of ordinary text, or one added token.</summary>
    public readonly record struct Segment(string? Text, AddedToken? Token);

    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    /// <summary>The segments of <paramref name="text"/> in order.</summary>
    public List<Segment> Split(string text)
    {
        var segments = new List<Segment>();
        var textStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var token = MatchAt(text, i);
            if (token == null)
            {
                i++;
                continue;
            }
            var textEnd = i;
            if (token.LeftStrip)
            {
                while (textEnd > textStart && char.IsWhiteSpace(text[textEnd - 1])) textEnd--;
            }
            if (textEnd > textStart) segments.Add(new Segment(text[textStart..textEnd], null));
            segments.Add(new Segment(null, token));
            i += token.Content.Length;
            if (token.RightStrip)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            }
            textStart = i;
        }
        if (textStart < text.Length) segments.Add(new Segment(text[textStart..], null));
        return segments;
    }

    private AddedToken? MatchAt(string text, int index)
    {
        if (!_byFirstChar.TryGetValue(text[index], out var candidates)) return null;
        var rest = text.AsSpan(index);
        foreach (var t in candidates)
        {
            if (rest.StartsWith(t.Content, StringComparison.Ordinal)) return t;
        }
        return null;
    }
}
