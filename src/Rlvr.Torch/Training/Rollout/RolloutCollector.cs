using System.Diagnostics;
using Rlvr.Core.Data;
using Rlvr.Core.Rewards;
using Rlvr.Core.Templates;
using Rlvr.Torch.Tokenization;
using Rlvr.Torch.Training.Configuration;

namespace Rlvr.Torch.Training.Rollout;

/// <summary>Time spent in one rollout.</summary>
public sealed record RolloutTiming(double GenerateSeconds, double ScoreSeconds, long GeneratedTokens);

/// <summary>
/// Turns problems into scored response groups: template, tokenize (truncated to the prompt budget),
/// sample n responses each, decode, reward with the training reward, and check against the true
/// label with the accuracy reward.
/// </summary>
public sealed class RolloutCollector(
    ResponseGenerator generator,
    HfTokenizer tokenizer,
    IPromptTemplate template,
    IReward reward,
    IReward accuracy,
    Func<Problem, string> trueLabel,
    RolloutConfig config,
    int runSeed)
{
    /// <summary>The prompt's tokens, truncated to the budget (keeping the start, as HF truncation does).</summary>
    public int[] PromptTokens(Problem problem)
    {
        var ids = tokenizer.Encode(template.Render(problem.Prompt));
        return ids.Length <= config.MaxPromptTokens ? ids : ids[..config.MaxPromptTokens];
    }

    /// <summary>Samples and scores <paramref name="problems"/>; <paramref name="seed"/> fixes the sampling.</summary>
    public (IReadOnlyList<ResponseGroup> Groups, RolloutTiming Timing) Collect(IReadOnlyList<Problem> problems, long seed,
        int samplesPerPrompt, double temperature, int maxNewTokens)
    {
        var clock = Stopwatch.StartNew();
        var prompts = problems.Select(PromptTokens).ToArray();
        var responses = Generate(prompts, seed, samplesPerPrompt, temperature, maxNewTokens);
        double generateSeconds = clock.Elapsed.TotalSeconds;
        long generated = responses.Sum(r => (long)r.Tokens.Length);

        clock.Restart();
        var groups = Score(problems, prompts, responses, seed);
        return (groups, new RolloutTiming(generateSeconds, clock.Elapsed.TotalSeconds, generated));
    }

    /// <summary>Generate: <paramref name="samplesPerPrompt"/> responses to each prompt, sampled under <paramref name="seed"/>.</summary>
    private IReadOnlyList<GeneratedResponse> Generate(int[][] prompts, long seed, int samplesPerPrompt, double temperature, int maxNewTokens) =>
        generator.Generate(prompts, new SamplingRequest(samplesPerPrompt, temperature, config.TopP, maxNewTokens, seed));

    /// <summary>
    /// Score: decode each prompt's responses (in sample order) and reward them as a group with the
    /// training reward and, against the true label, with the accuracy reward.
    /// </summary>
    private List<ResponseGroup> Score(IReadOnlyList<Problem> problems, int[][] prompts, IReadOnlyList<GeneratedResponse> responses, long seed)
    {
        var groups = new List<ResponseGroup>(problems.Count);
        foreach (var byPrompt in responses.GroupBy(r => r.PromptIndex).OrderBy(g => g.Key))
        {
            var problem = problems[byPrompt.Key];
            var items = byPrompt.OrderBy(r => r.SampleIndex).ToArray();
            // A response of zero tokens cannot be trained on; upstream's vLLM uses min_tokens = 1.
            var tokens = items.Select(r => r.Tokens.Length > 0 ? r.Tokens : [tokenizer.EosTokenId ?? 0]).ToArray();
            var texts = tokens.Select(t => tokenizer.Decode(t)).ToArray();
            var indices = items.Select(r => r.SampleIndex).ToArray();
            var rewards = reward.Score(new RewardGroup(problem.Id, problem.Label, texts, indices, runSeed ^ seed));
            var correct = accuracy.Score(new RewardGroup(problem.Id, trueLabel(problem), texts, indices, runSeed ^ seed));
            var scored = items.Select((r, k) => new ScoredResponse(problem, prompts[byPrompt.Key], tokens[k], texts[k],
                r.Truncated, rewards[k], correct[k])).ToArray();
            groups.Add(new ResponseGroup(problem, scored));
        }
        return groups;
    }
}
