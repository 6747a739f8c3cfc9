namespace Rlvr.Core.Evaluation;

/// <summary>Why a generated sequence ended.</summary>
public enum FinishReason
{
    /// <summary>An end-of-sequence token or a stop string.</summary>
    Stop,
    /// <summary>The max-new-tokens limit.</summary>
    Length,
}

/// <summary>One prompt to complete <paramref name="Samples"/> times (the samples share one prefill).</summary>
public sealed record GenerationRequest(string Prompt, int Samples);

/// <summary>One completion: its text (stop string included, EOS token not), and token counts.</summary>
public sealed record GeneratedText(string Text, int PromptTokens, int CompletionTokens, FinishReason Finish);

/// <summary>Sampling settings of one generation call. Temperature 0 means greedy.</summary>
/// <param name="Seed">Makes the call's sampling repeat exactly.</param>
public sealed record SamplingSettings(double Temperature, double TopP, int MaxNewTokens, IReadOnlyList<string> StopStrings, long Seed);

/// <summary>
/// Turns prompts into completions: the seam between evaluation (pure) and a model (the rollout engine
/// in Rlvr.Torch). Implementations return, for each request in order, exactly its Samples completions.
/// </summary>
public interface ITextGenerator
{
    IReadOnlyList<IReadOnlyList<GeneratedText>> Generate(IReadOnlyList<GenerationRequest> batch, SamplingSettings settings);
}
