using Rlvr.Core.Rewards;

namespace Rlvr.Core.Evaluation;

/// <summary>One generation call: these problems (dataset indices), each sampled k times.</summary>
/// <param name="Shard">The shard it belongs to.</param>
/// <param name="Number">Its position within the shard.</param>
/// <param name="Indices">Problem indices, contiguous.</param>
public sealed record EvalBatch(int Shard, int Number, IReadOnlyList<int> Indices);

/// <summary>
/// Cuts a dataset into generation calls. The problems are split into <c>shards</c> contiguous shards
/// of near-equal size (upstream cut the flat list of prompt copies; here a problem's k samples stay
/// together so they share one prefill), and each shard into batches of ⌊batchSequences / k⌋ problems
/// (at least one); batchSequences 0 keeps each shard whole, one generation call per shard as upstream.
/// The grid depends only on these numbers, never on what a previous run finished.
/// </summary>
public static class BatchPlanner
{
    public static IEnumerable<EvalBatch> Plan(int problems, int samples, int shards, int batchSequences)
    {
        if (shards < 1) throw new ArgumentException($"--shards {shards}: need at least 1");
        if (batchSequences < 0) throw new ArgumentException($"--batch-size {batchSequences}: need 0 (whole shards) or more");
        var perBatch = batchSequences == 0 ? int.MaxValue : Math.Max(1, batchSequences / samples);
        var shardCount = Math.Min(shards, problems);
        for (var s = 0; s < shardCount; s++)
        {
            var start = (int)((long)problems * s / shardCount);
            var end = (int)((long)problems * (s + 1) / shardCount);
            var number = 0;
            for (var b = start; b < end; b += Math.Min(perBatch, end - b))
            {
                var count = Math.Min(perBatch, end - b);
                yield return new EvalBatch(s, number++, Enumerable.Range(b, count).ToArray());
            }
        }
    }

    /// <summary>The sampling seed of a batch: a stable mix (SplitMix64) of the run seed, the dataset name and the batch position.</summary>
    public static long Seed(long seed, string dataset, EvalBatch batch)
    {
        var h = (ulong)seed;
        foreach (var c in dataset) h = StableHash.SplitMix(h ^ c);
        h = StableHash.SplitMix(h ^ (ulong)batch.Shard);
        h = StableHash.SplitMix(h ^ (ulong)batch.Number);
        return (long)(h & 0x7FFF_FFFF_FFFF_FFFF);
    }
}
