namespace Rlvr.Torch.Generation;

/// <summary>Why a completion ended.</summary>
public enum FinishReason
{
    /// <summary>It produced an end-of-sequence token (kept as its last token).</summary>
    Eos,

    /// <summary>Its text reached a stop string or its tokens a stop sequence.</summary>
    Stop,

    /// <summary>It reached the maximum number of new tokens.</summary>
    Length,
}

/// <summary>
/// One generated continuation of one prompt: the new token ids and, aligned with them, the log-probability
/// the model gave each chosen token (see <see cref="GenerationOptions.LogProbsAtSamplingTemperature"/>).
/// </summary>
public sealed record Completion(int PromptIndex, int SampleIndex, int[] Tokens, float[] LogProbs, FinishReason FinishReason);

/// <summary>Timing of one <see cref="RolloutEngine.Generate"/> call.</summary>
/// <param name="PromptTokens">Real (unpadded) prompt tokens prefilled.</param>
/// <param name="GeneratedTokens">Tokens kept in completions.</param>
/// <param name="DecodeSteps">Forward passes after the prefill.</param>
/// <param name="Prefill">Time of the prompt forward (first logits ready).</param>
/// <param name="Decode">Time of sampling and the decode forwards.</param>
public sealed record GenerationStats(long PromptTokens, long GeneratedTokens, int DecodeSteps, TimeSpan Prefill, TimeSpan Decode)
{
    /// <summary>Prompt tokens per second of prefill.</summary>
    public double PrefillTokensPerSecond => PromptTokens / Math.Max(Prefill.TotalSeconds, 1e-9);

    /// <summary>Generated tokens per second of decode.</summary>
    public double DecodeTokensPerSecond => GeneratedTokens / Math.Max(Decode.TotalSeconds, 1e-9);
}

/// <summary>Completions in prompt-major order (prompt 0 samples 0..n−1, then prompt 1, ...) and timing.</summary>
public sealed record GenerationResult(IReadOnlyList<Completion> Completions, GenerationStats Stats);
