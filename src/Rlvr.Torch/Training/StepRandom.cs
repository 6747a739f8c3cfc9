using Rlvr.Core.Rewards;

namespace Rlvr.Torch.Training;

/// <summary>
/// Derives every random stream of a step from (run seed, step, purpose), so a resumed run draws
/// exactly what an uninterrupted one would without carrying generator state across the kill.
/// </summary>
public static class StepRandom
{
    /// <summary>Purposes of the per-step streams.</summary>
    public enum Stream { Sampling = 1, Shuffle = 2, Reward = 3, Eval = 4, WarmStart = 5, Data = 6 }

    /// <summary>A 63-bit seed for (seed, step, stream): SplitMix64 over the three, stable across platforms.</summary>
    public static long Seed(int runSeed, long step, Stream stream)
    {
        ulong x = (ulong)(uint)runSeed;
        x = StableHash.SplitMix(x ^ StableHash.SplitMix((ulong)step + 0x9E3779B97F4A7C15UL));
        x = StableHash.SplitMix(x ^ StableHash.SplitMix((ulong)stream * 0xBF58476D1CE4E5B9UL));
        return (long)(x >> 1);
    }

    /// <summary>
    /// A named sub-stream of (seed, step, stream): e.g. the sampling seed of generate call
    /// <c>call</c> of dynamic-sampling round <c>round</c> is <c>Seed(seed, step, Sampling, round, call)</c>.
    /// Each index is mixed in by SplitMix64, so no two (round, call) pairs share a seed whatever their
    /// sizes (the former <c>step*1000 + round*100 + call</c> collided, e.g. at step 1000).
    /// </summary>
    public static long Seed(int runSeed, long step, Stream stream, params long[] indices)
    {
        ulong x = (ulong)Seed(runSeed, step, stream);
        foreach (var index in indices)
            x = StableHash.SplitMix(x ^ StableHash.SplitMix((ulong)index + 0x94D049BB133111EBUL));
        return (long)(x >> 1);
    }

    /// <summary>A System.Random for (seed, step, stream) (its algorithm is fixed for a given seed).</summary>
    public static Random Create(int runSeed, long step, Stream stream) => new((int)(Seed(runSeed, step, stream) & int.MaxValue));
}
