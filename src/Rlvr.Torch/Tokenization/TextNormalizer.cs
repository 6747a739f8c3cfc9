using System.Text;

namespace Rlvr.Torch.Tokenization;

/// <summary>
/// The Unicode normalisation a tokenizer.json asks for (NFC for Qwen2; none for Llama 3), applied to
/// the text between added tokens.
/// </summary>
/// <remarks>
/// .NET's <see cref="string.Normalize(NormalizationForm)"/> throws on a lone surrogate. Such a string
/// cannot reach Hugging Face `tokenizers` at all (Rust strings are valid UTF-8), and encoding it to
/// UTF-8 would turn the surrogate into U+FFFD anyway, so we replace lone surrogates with U+FFFD first.
/// </remarks>
public sealed class TextNormalizer
{
    private readonly NormalizationForm[] _forms;

    public TextNormalizer(IReadOnlyList<NormalizationForm> forms) => _forms = forms.ToArray();

    /// <summary>Leaves text as it is.</summary>
    public static TextNormalizer None { get; } = new([]);

    public string Normalize(string text)
    {
        if (_forms.Length == 0 || IsAscii(text)) return text;
        text = ReplaceLoneSurrogates(text);
        foreach (var form in _forms)
        {
            if (!text.IsNormalized(form)) text = text.Normalize(form);
        }
        return text;
    }

    /// <summary>Replaces each unpaired UTF-16 surrogate with U+FFFD.</summary>
    public static string ReplaceLoneSurrogates(string text)
    {
        char[]? copy = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                copy ??= text.ToCharArray();
                copy[i] = '\uFFFD';
            }
        }
        return copy == null ? text : new string(copy);
    }

    private static bool IsAscii(string text)
    {
        foreach (var c in text)
        {
            if (c > 0x7F) return false;
        }
        return true;
    }
}
