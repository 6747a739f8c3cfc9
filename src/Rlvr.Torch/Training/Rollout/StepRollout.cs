using Rlvr.Core.Data;
using Rlvr.Torch.Distributed;
using Rlvr.Torch.Training.Configuration;

namespace Rlvr.Torch.Training.Rollout;

/// <summary>
/// The generate + score part of one training step, split across ranks. Each round's prompts are drawn
/// (identically on every rank) and cut into generate calls of <c>prompts_per_generate_call</c> prompts
/// (all of them when 0); call c goes to rank c mod N, so a prompt's whole group is sampled on one rank.
/// The sampling seed of a call is the named sub-stream (seed, step, Sampling, round, call): it depends
/// on neither the rank nor the world size, and a call's batch is the same at any world size, so a
/// prompt's samples are the same whether 1 or N ranks run (the world size only has to leave every
/// rank a call: set prompts_per_generate_call to prompts_per_step / N). Every rank then receives every
/// group (<see cref="GroupExchange"/>).
/// </summary>
public sealed class StepRollout(RolloutCollector collector, PromptStream<Problem> prompts, RolloutConfig config, int runSeed,
    ICollectives collectives)
{
    /// <summary>The step's sampled groups (every round) and the groups kept for training, with timings summed over ranks.</summary>
    public (IReadOnlyList<ResponseGroup> Sampled, IReadOnlyList<ResponseGroup> Kept, RolloutTiming Timing) Run(int step)
    {
        double generate = 0, score = 0; long tokens = 0;
        IReadOnlyList<ResponseGroup> Round(int round)
        {
            var (groups, timing) = SampleRound(step, round);
            generate += timing.GenerateSeconds; score += timing.ScoreSeconds; tokens += timing.GeneratedTokens;
            return groups;
        }
        var (sampled, kept) = DynamicSampling.Run(Round, config.DynamicSampling, config.PromptsPerStep, config.DynamicSamplingMaxRounds);
        return (sampled, kept, new RolloutTiming(generate, score, tokens));
    }

    private (IReadOnlyList<ResponseGroup> Groups, RolloutTiming Timing) SampleRound(int step, int round)
    {
        var problems = prompts.Next(config.PromptsPerStep);
        int perCall = config.PromptsPerGenerateCall > 0 ? config.PromptsPerGenerateCall : problems.Count;
        var world = collectives.World;
        var mine = new List<(int Position, ResponseGroup Group)>();
        double generate = 0, score = 0; long tokens = 0;
        for (int start = 0, call = 0; start < problems.Count; start += perCall, call++)
        {
            if (call % world.Size != world.Rank) continue;
            var chunk = problems.Skip(start).Take(perCall).ToArray();
            var seed = StepRandom.Seed(runSeed, step, StepRandom.Stream.Sampling, round, call);
            var (groups, timing) = collector.Collect(chunk, seed, config.SamplesPerPrompt, config.Temperature, config.MaxNewTokens);
            mine.AddRange(groups.Select((g, k) => (start + k, g))); // Collect returns one group per prompt, in order
            generate += timing.GenerateSeconds; score += timing.ScoreSeconds; tokens += timing.GeneratedTokens;
        }
        return GroupExchange.Exchange(collectives, mine, new RolloutTiming(generate, score, tokens), problems);
    }
}
