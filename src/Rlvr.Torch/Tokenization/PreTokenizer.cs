namespace Rlvr.Torch.Tokenization;

/// <summary>
/// The pre-tokenization of a tokenizer.json: a sequence of splitting steps applied in turn to every
/// piece. Supported: "Split" with a regex and behaviour "Isolated" (Qwen2, Llama 3, OLMo 2) and
/// "ByteLevel" (optionally with GPT-2's own regex and a prefix space). The byte-level mapping itself
/// happens in <see cref="BpeModel"/>.
/// </summary>
public sealed class PreTokenizer
{
    /// <summary>GPT-2's regex, used by a ByteLevel pre-tokenizer with use_regex = true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly IReadOnlyList<Step> _steps;

    /// <summary>One splitting step: a regex split, or a prefix space added to each piece.</summary>
    public sealed record Step(RegexSplitter? Splitter, bool AddPrefixSpace);

    public PreTokenizer(IReadOnlyList<Step> steps) => _steps = steps;

    /// <summary>A pre-tokenizer that splits with one regex (behaviour Isolated).</summary>
    public static PreTokenizer FromRegex(string pattern) => new([new Step(new RegexSplitter(pattern), false)]);

    /// <summary>The pieces of <paramref name="text"/> (already normalised), in order; their concatenation is the text
    /// (plus any prefix spaces).</summary>
    public List<string> Split(string text)
    {
        var pieces = new List<string> { text };
        foreach (var step in _steps)
        {
            var next = new List<string>(pieces.Count * 2);
            foreach (var piece in pieces)
            {
                var p = step.AddPrefixSpace && !piece.StartsWith(' ') ? " " + piece : piece;
                if (step.Splitter == null) next.Add(p);
                else step.Splitter.Split(p, next);
            }
            pieces = next;
        }
        return pieces;
    }
}
