using Rlvr.Torch.Generation;
using Rlvr.Torch.Models;

namespace Rlvr.Torch.Training.Rollout;

/// <summary>One sampled response to one prompt.</summary>
/// <param name="PromptIndex">Index of its prompt in the request.</param>
/// <param name="SampleIndex">Its index among that prompt's samples.</param>
/// <param name="Tokens">The new tokens (an EOS token, when produced, is the last one).</param>
/// <param name="Truncated">True when the response hit the token budget.</param>
public sealed record GeneratedResponse(int PromptIndex, int SampleIndex, int[] Tokens, bool Truncated);

/// <summary>What the trainer asks of a sampler.</summary>
/// <param name="SamplesPerPrompt">Responses per prompt (a GRPO group).</param>
/// <param name="Temperature">Sampling temperature (0 = greedy).</param>
/// <param name="TopP">Nucleus mass.</param>
/// <param name="MaxNewTokens">Response budget.</param>
/// <param name="Seed">Seed of this call's randomness.</param>
public sealed record SamplingRequest(int SamplesPerPrompt, double Temperature, double TopP, int MaxNewTokens, long Seed);

/// <summary>Samples responses from the current policy (the rollout engine on the trained model itself).</summary>
public sealed class ResponseGenerator(CausalLanguageModel model, IReadOnlyList<int> eosTokenIds, int padTokenId,
    IReadOnlyList<string> stopStrings, Func<IReadOnlyList<int>, string> decode)
{
    private readonly RolloutEngine _engine = new(model);

    /// <summary>Samples <see cref="SamplingRequest.SamplesPerPrompt"/> responses for each prompt.</summary>
    public IReadOnlyList<GeneratedResponse> Generate(IReadOnlyList<int[]> prompts, SamplingRequest request)
    {
        var options = new GenerationOptions
        {
            MaxNewTokens = request.MaxNewTokens,
            SamplesPerPrompt = request.SamplesPerPrompt,
            Sampling = request.Temperature <= 0
                ? SamplingOptions.GreedyDecoding
                : new SamplingOptions { Temperature = request.Temperature, TopP = request.TopP },
            Seed = request.Seed,
            EosTokenIds = eosTokenIds,
            PadTokenId = padTokenId,
            StopStrings = stopStrings,
            Decode = stopStrings.Count > 0 ? decode : null,
        };
        var result = _engine.Generate(prompts, options);
        return result.Completions
            .Select(c => new GeneratedResponse(c.PromptIndex, c.SampleIndex, c.Tokens, c.FinishReason == FinishReason.Length))
            .OrderBy(r => r.PromptIndex).ThenBy(r => r.SampleIndex)
            .ToArray();
    }
}
