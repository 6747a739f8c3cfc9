using Rlvr.Core.Data;

namespace Rlvr.Torch.Training.Rollout;

/// <summary>A sampled response with its training reward and its correctness against the true answer.</summary>
/// <param name="Problem">The problem it answers.</param>
/// <param name="PromptTokens">The prompt's tokens (after truncation to the prompt budget).</param>
/// <param name="ResponseTokens">The response's tokens (at least one).</param>
/// <param name="Text">The response decoded (special tokens kept, as upstream's rewards see it).</param>
/// <param name="Truncated">It hit the token budget.</param>
/// <param name="Reward">The training reward.</param>
/// <param name="Correct">1 when the answer matches the TRUE label (always measured, even for spurious rewards).</param>
public sealed record ScoredResponse(Problem Problem, int[] PromptTokens, int[] ResponseTokens, string Text,
    bool Truncated, double Reward, double Correct)
{
    /// <summary>Whether the response follows strategy A (<c>telemetry.strategy_pattern</c>), filled in after scoring.</summary>
    public bool StrategyA { get; set; }

    /// <summary>Whether the response mentions "python" (the paper's code-reasoning predicate).</summary>
    public bool MentionsPython => Text.Contains("python", StringComparison.OrdinalIgnoreCase);
}

/// <summary>All responses to one prompt.</summary>
public sealed record ResponseGroup(Problem Problem, IReadOnlyList<ScoredResponse> Responses)
{
    /// <summary>True when every response got the same reward (zero advantage before whitening).</summary>
    public bool ZeroSpread => Responses.All(r => r.Reward == Responses[0].Reward);
}
