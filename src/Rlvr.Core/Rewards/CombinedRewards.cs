namespace Rlvr.Core.Rewards;

/// <summary>
/// <c>random&lt;p&gt;</c>: Bernoulli(p) per completion, independent of its text. Upstream draws from an
/// unseeded global generator; here each draw is a stable hash of (seed, reward name, problem id, sample
/// index), so a run reproduces and two <c>random</c> components of one <c>_AND_</c> reward (distinct names)
/// draw independently.
/// </summary>
public sealed class RandomReward : PerCompletionReward
{
    private readonly ulong _nameHash;

    public RandomReward(string name, double probability) : base(name)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "a random reward's rate must lie in [0, 1]");
        Probability = probability;
        _nameHash = StableHash.Of(name);
    }

    public double Probability { get; }

    protected override double ScoreOne(RewardGroup group, int k)
    {
        var draw = StableHash.ToUnitInterval(StableHash.Combine(
            unchecked((ulong)group.Seed), _nameHash, StableHash.Of(group.ProblemId), unchecked((ulong)group.SampleIndices[k])));
        return draw < Probability ? 1.0 : 0.0;
    }
}

/// <summary><c>inverse_&lt;name&gt;</c>: 1 − the inner reward.</summary>
public sealed class InverseReward(string name, IReward inner) : IReward
{
    public string Name { get; } = name;

    public double[] Score(RewardGroup group) => inner.Score(group).Select(r => 1.0 - r).ToArray();
}

/// <summary><c>&lt;a&gt;_AND_&lt;b&gt;</c>: 1 when every component gives a non-zero reward, else 0.</summary>
public sealed class AndReward(string name, IReadOnlyList<IReward> parts) : IReward
{
    public string Name { get; } = name;

    public IReadOnlyList<IReward> Parts { get; } = parts;

    public double[] Score(RewardGroup group)
    {
        var all = Enumerable.Repeat(true, group.Completions.Count).ToArray();
        foreach (var part in Parts)
        {
            var scores = part.Score(group);
            for (var k = 0; k < all.Length; k++) all[k] &= scores[k] != 0.0;
        }
        return all.Select(ok => ok ? 1.0 : 0.0).ToArray();
    }
}
