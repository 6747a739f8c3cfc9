namespace Rlvr.Core.Rewards;

/// <summary>
/// All completions sampled for one prompt, with what a reward may look at: the problem's label (the
/// dataset's answer string, which may be a ground truth, a majority-vote label or a deliberately wrong
/// one) and, for seeded randomness, the problem id, each completion's sample index and the run's seed.
/// </summary>
public sealed record RewardGroup
{
    public RewardGroup(string problemId, string label, IReadOnlyList<string> completions, IReadOnlyList<int>? sampleIndices = null, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(problemId);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(completions);
        sampleIndices ??= Enumerable.Range(0, completions.Count).ToArray();
        if (sampleIndices.Count != completions.Count)
            throw new ArgumentException($"{completions.Count} completions but {sampleIndices.Count} sample indices", nameof(sampleIndices));
        ProblemId = problemId;
        Label = label;
        Completions = completions;
        SampleIndices = sampleIndices;
        Seed = seed;
    }

    public string ProblemId { get; }
    public string Label { get; }
    public IReadOnlyList<string> Completions { get; }
    /// <summary>Index of each completion among the prompt's samples (stable across reruns).</summary>
    public IReadOnlyList<int> SampleIndices { get; }
    public long Seed { get; }
}

/// <summary>A reward: one score per completion of a group (1.0/0.0 for every upstream reward).</summary>
public interface IReward
{
    /// <summary>The name this reward was created from, e.g. <c>box_only_format_AND_inverse_contain_python</c>.</summary>
    string Name { get; }

    /// <summary>Scores every completion of the group; the result has one entry per completion, in order.</summary>
    double[] Score(RewardGroup group);
}

/// <summary>A reward that scores each completion on its own.</summary>
public abstract class PerCompletionReward(string name) : IReward
{
    public string Name { get; } = name;

    public double[] Score(RewardGroup group)
    {
        var scores = new double[group.Completions.Count];
        for (var k = 0; k < scores.Length; k++) scores[k] = ScoreOne(group, k);
        return scores;
    }

    /// <summary>The score of completion <paramref name="k"/> of <paramref name="group"/>.</summary>
    protected abstract double ScoreOne(RewardGroup group, int k);
}
