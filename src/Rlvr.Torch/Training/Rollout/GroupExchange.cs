using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Torch.Distributed;

namespace Rlvr.Torch.Training.Rollout;

/// <summary>
/// Gives every rank the groups every rank sampled and scored, in generate-call order, so that each rank
/// then holds the step's whole rollout batch (a few kilobytes of token ids and rewards per prompt) and
/// computes the same advantages, metrics and micro-batches as one process would. Problems travel as
/// their index in the round's draw, which every rank made identically.
/// </summary>
internal static class GroupExchange
{
    private sealed record WireResponse(int[] Tokens, string Text, bool Truncated, double Reward, double Correct);
    private sealed record WireGroup(int Position, int[] PromptTokens, WireResponse[] Responses);
    private sealed record WirePayload(WireGroup[] Groups, double GenerateSeconds, double ScoreSeconds, long Tokens);

    /// <summary>
    /// All ranks' groups in draw order, and the rollout timing summed over ranks. <paramref name="mine"/>: this
    /// rank's groups with their position in <paramref name="problems"/>, the round's draw.
    /// </summary>
    public static (IReadOnlyList<ResponseGroup> Groups, RolloutTiming Timing) Exchange(ICollectives collectives,
        IReadOnlyList<(int Position, ResponseGroup Group)> mine, RolloutTiming timing, IReadOnlyList<Problem> problems)
    {
        if (collectives.World.Size == 1) return (mine.OrderBy(m => m.Position).Select(m => m.Group).ToArray(), timing);
        var payload = new WirePayload(
            mine.Select(m => new WireGroup(m.Position, m.Group.Responses[0].PromptTokens,
                m.Group.Responses.Select(r => new WireResponse(r.ResponseTokens, r.Text, r.Truncated, r.Reward, r.Correct)).ToArray())).ToArray(),
            timing.GenerateSeconds, timing.ScoreSeconds, timing.GeneratedTokens);
        var received = collectives.AllGather(JsonSerializer.SerializeToUtf8Bytes(payload))
            .Select(bytes => JsonSerializer.Deserialize<WirePayload>(bytes)!).ToArray();
        var groups = received.SelectMany(p => p.Groups).OrderBy(g => g.Position)
            .Select(g =>
            {
                var problem = problems[g.Position];
                return new ResponseGroup(problem, g.Responses.Select(r =>
                    new ScoredResponse(problem, g.PromptTokens, r.Tokens, r.Text, r.Truncated, r.Reward, r.Correct)).ToArray());
            }).ToArray();
        return (groups, new RolloutTiming(received.Sum(p => p.GenerateSeconds), received.Sum(p => p.ScoreSeconds), received.Sum(p => p.Tokens)));
    }
}
