namespace Rlvr.Torch.Generation;

/// <summary>How the next token is chosen from the logits.</summary>
public sealed record SamplingOptions
{
    /// <summary>Argmax decoding; the other knobs are ignored. Temperature 0 also means greedy.</summary>
    public bool Greedy { get; init; }

    /// <summary>Logits are divided by this before top-k/top-p and sampling (the paper samples at 0.6–1.0).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of most likely tokens whose mass reaches TopP (1 = off).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the K most likely tokens (0 = off). Applied before TopP, as in transformers.</summary>
    public int TopK { get; init; }

    /// <summary>Greedy decoding.</summary>
    public static SamplingOptions GreedyDecoding => new() { Greedy = true };

    /// <summary>Whether this draws random numbers.</summary>
    public bool IsGreedy => Greedy || Temperature <= 0;
}

/// <summary>What to generate for a batch of prompts.</summary>
public sealed record GenerationOptions
{
    /// <summary>Upper bound on new tokens per completion.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Completions per prompt; they share the prompt's prefill (KV cache rows are copied).</summary>
    public int SamplesPerPrompt { get; init; } = 1;

    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>Seed of the torch.Generator used for sampling: the same seed, prompts and options repeat exactly.</summary>
    public long Seed { get; init; }

    /// <summary>A completion ends after any of these tokens (the token is kept, with its log-prob).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>
    /// A completion ends once its decoded text contains one of these (e.g. "&lt;/answer&gt;"); needs
    /// <see cref="Decode"/>. The tokens up to and including the one that completes the string are kept.
    /// </summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>A completion ends once its tokens end with one of these id sequences.</summary>
    public IReadOnlyList<int[]> StopTokenSequences { get; init; } = [];

    /// <summary>Token ids → text, used for <see cref="StopStrings"/> (the tokenizer's decode).</summary>
    public Func<IReadOnlyList<int>, string>? Decode { get; init; }

    /// <summary>Id written into left padding (masked, so any id works).</summary>
    public int PadTokenId { get; init; }

    /// <summary>
    /// False (default): returned log-probs are under the model's own distribution (temperature 1, no
    /// top-k/top-p), what a trainer recomputes. True: under the temperature-scaled distribution.
    /// </summary>
    public bool LogProbsAtSamplingTemperature { get; init; }

    /// <summary>
    /// Finished rows are dropped from the batch (KV cache rows compacted) once at most this fraction of
    /// rows is still running, so that long stragglers do not pay for finished sequences.
    /// </summary>
    public double CompactBelowActiveFraction { get; init; } = 0.5;

    /// <summary>
    /// Decode steps between device→host copies of the new tokens (stop checks happen at these points).
    /// 0 = automatic: every step on the CPU (ops are synchronous there anyway); every 16 steps on CUDA so
    /// that the host queues kernels ahead instead of waiting for each step (a batch may then run up to
    /// 15 steps past its last stop; the extra tokens are discarded).
    /// </summary>
    public int HostSyncInterval { get; init; }

    /// <summary>Checks the options; errors name the option.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"MaxNewTokens must be at least 1 (got {MaxNewTokens}).");
        if (SamplesPerPrompt < 1) throw new ArgumentException($"SamplesPerPrompt must be at least 1 (got {SamplesPerPrompt}).");
        if (Sampling.TopP is <= 0 or > 1) throw new ArgumentException($"TopP must be in (0, 1] (got {Sampling.TopP}).");
        if (Sampling.TopK < 0) throw new ArgumentException($"TopK must be non-negative (got {Sampling.TopK}).");
        if (HostSyncInterval < 0) throw new ArgumentException($"HostSyncInterval must be non-negative (got {HostSyncInterval}).");
        if (StopStrings.Count > 0 && Decode is null)
            throw new ArgumentException("StopStrings need a Decode function (the tokenizer's decode).");
    }
}
