namespace Rlvr.Torch.Generation;

/// <summary>Decides on the host, token by token, whether a completion has ended.</summary>
internal sealed class StopMatcher
{
    private readonly HashSet<int> _eos;
    private readonly GenerationOptions _options;
    private readonly int _decodeWindow;

    public StopMatcher(GenerationOptions options)
    {
        _options = options;
        _eos = [.. options.EosTokenIds];
        // A stop string of L characters spans at most L tokens (every token decodes to at least one
        // character, or a replacement character for a partial byte sequence); a little slack covers merges.
        _decodeWindow = options.StopStrings.Count == 0 ? 0 : options.StopStrings.Max(s => s.Length) + 4;
    }

    /// <summary>The reason <paramref name="tokens"/> (the completion so far, last token just added) ends, or null.</summary>
    public FinishReason? Check(List<int> tokens, int maxNewTokens)
    {
        var last = tokens[^1];
        if (_eos.Contains(last)) return FinishReason.Eos;
        foreach (var sequence in _options.StopTokenSequences)
        {
            if (sequence.Length > 0 && EndsWith(tokens, sequence)) return FinishReason.Stop;
        }
        if (_decodeWindow > 0)
        {
            // Only the tail can contain a newly completed stop string: an earlier one would have stopped earlier.
            var start = Math.Max(0, tokens.Count - _decodeWindow);
            var tail = _options.Decode!(tokens.GetRange(start, tokens.Count - start));
            foreach (var stop in _options.StopStrings)
            {
                if (stop.Length > 0 && tail.Contains(stop, StringComparison.Ordinal)) return FinishReason.Stop;
            }
        }
        return tokens.Count >= maxNewTokens ? FinishReason.Length : null;
    }

    private static bool EndsWith(List<int> tokens, int[] suffix)
    {
        if (tokens.Count < suffix.Length) return false;
        for (var i = 0; i < suffix.Length; i++)
        {
            if (tokens[tokens.Count - suffix.Length + i] != suffix[i]) return false;
        }
        return true;
    }
}
