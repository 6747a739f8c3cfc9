namespace Rlvr.Torch.Training.Rollout;

/// <summary>
/// DAPO's dynamic sampling: groups whose rewards all agree carry no signal (zero advantage), so they are
/// dropped and more prompts are sampled, round after round, until the step has its prompt count of useful
/// groups or the round limit is reached. Decided on the whole step's groups (every rank holds them all),
/// so the refill is global: every rank keeps the same groups.
/// </summary>
public static class DynamicSampling
{
    /// <summary>
    /// Runs round 0 and, when <paramref name="enabled"/>, refill rounds 1..<paramref name="maxRounds"/>;
    /// <paramref name="sampleRound"/>(round) returns that round's groups. Returns every group sampled and
    /// the ones kept for training (at most <paramref name="promptsPerStep"/>).
    /// </summary>
    public static (IReadOnlyList<ResponseGroup> Sampled, IReadOnlyList<ResponseGroup> Kept) Run(
        Func<int, IReadOnlyList<ResponseGroup>> sampleRound, bool enabled, int promptsPerStep, int maxRounds)
    {
        var sampled = new List<ResponseGroup>(sampleRound(0));
        if (!enabled) return (sampled, sampled.ToArray());
        var useful = sampled.Where(g => !g.ZeroSpread).ToList();
        for (int round = 1; round <= maxRounds && useful.Count < promptsPerStep; round++)
        {
            var more = sampleRound(round);
            sampled.AddRange(more);
            useful.AddRange(more.Where(g => !g.ZeroSpread));
        }
        return (sampled, useful.Take(promptsPerStep).ToArray());
    }
}
