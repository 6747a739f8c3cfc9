using Rlvr.Torch.Checkpoints;

namespace Rlvr.Torch.Tokenization;

/// <summary>
/// The end-of-sequence and padding ids of a model folder, resolved in one place for training, evaluation and
/// generation: every EOS id of config.json, generation_config.json and tokenizer_config.json together (Qwen2.5
/// instruct models stop on two), and the pad id of the tokenizer, else of the model config, else the first
/// EOS id (upstream's fallback; pad positions are masked, so the choice only has to be a valid id).
/// </summary>
/// <param name="Eos">The EOS ids (possibly none).</param>
/// <param name="Pad">The id that fills left padding.</param>
public sealed record SpecialTokens(IReadOnlyList<int> Eos, int Pad)
{
    /// <summary>Resolves the ids of the model folder <paramref name="directory"/>, whose tokenizer is <paramref name="tokenizer"/>.</summary>
    public static SpecialTokens Resolve(string directory, HfTokenizer tokenizer)
    {
        var defaults = GenerationDefaults.Read(directory);
        var eos = defaults.EosTokenIds.Concat(tokenizer.EosTokenId is int e ? [e] : []).Distinct().ToArray();
        return new SpecialTokens(eos, tokenizer.PadTokenId ?? defaults.PadTokenId ?? (eos.Length > 0 ? eos[0] : 0));
    }
}
