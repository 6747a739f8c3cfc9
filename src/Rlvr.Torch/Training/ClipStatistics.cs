namespace Rlvr.Torch.Training;

/// <summary>
/// Clip counts accumulated over micro-batches: all tokens, and per bucket of the old policy's
/// probability (edges <see cref="GrpoMath.OldProbabilityEdges"/>).
/// </summary>
public sealed class ClipStatistics
{
    private readonly double[] _tokens = new double[GrpoMath.OldProbabilityEdges.Length + 1];
    private readonly double[] _low = new double[GrpoMath.OldProbabilityEdges.Length + 1];
    private readonly double[] _high = new double[GrpoMath.OldProbabilityEdges.Length + 1];

    /// <summary>Adds per-bucket counts of tokens and of tokens clipped low / high.</summary>
    public void Add(double[] tokens, double[] low, double[] high)
    {
        for (int b = 0; b < _tokens.Length; b++) { _tokens[b] += tokens[b]; _low[b] += low[b]; _high[b] += high[b]; }
    }

    /// <summary>Sums the counts over ranks (whole numbers: exact in any order).</summary>
    public void Reduce(Distributed.ICollectives collectives)
    {
        if (collectives.World.Size == 1) return;
        var all = _tokens.Concat(_low).Concat(_high).ToArray();
        collectives.AllReduceSum(all);
        int n = _tokens.Length;
        all.AsSpan(0, n).CopyTo(_tokens); all.AsSpan(n, n).CopyTo(_low); all.AsSpan(2 * n, n).CopyTo(_high);
    }

    /// <summary>All response tokens counted.</summary>
    public double Tokens => _tokens.Sum();
    /// <summary>Fraction of tokens clipped on the low side (A &lt; 0, rho &lt; 1 - eps_low).</summary>
    public double LowFraction => Tokens == 0 ? 0 : _low.Sum() / Tokens;
    /// <summary>Fraction of tokens clipped on the high side (A &gt; 0, rho &gt; 1 + eps_high).</summary>
    public double HighFraction => Tokens == 0 ? 0 : _high.Sum() / Tokens;

    /// <summary>Bucket names, e.g. "p0.1-0.5", in edge order.</summary>
    public static IReadOnlyList<string> BucketNames
    {
        get
        {
            var edges = new[] { 0.0 }.Concat(GrpoMath.OldProbabilityEdges).Append(1.0).ToArray();
            return Enumerable.Range(0, edges.Length - 1)
                .Select(i => FormattableString.Invariant($"p{edges[i]:0.##}-{edges[i + 1]:0.##}")).ToArray();
        }
    }

    /// <summary>Tokens in bucket <paramref name="bucket"/>.</summary>
    public double BucketTokens(int bucket) => _tokens[bucket];
    /// <summary>Low-side clip fraction within bucket <paramref name="bucket"/> (0 when empty).</summary>
    public double BucketLowFraction(int bucket) => _tokens[bucket] == 0 ? 0 : _low[bucket] / _tokens[bucket];
    /// <summary>High-side clip fraction within bucket <paramref name="bucket"/> (0 when empty).</summary>
    public double BucketHighFraction(int bucket) => _tokens[bucket] == 0 ? 0 : _high[bucket] / _tokens[bucket];
}
