using System.Text;

namespace Rlvr.Core.Rewards;

/// <summary>
/// A hash that is the same on every run, machine and .NET version (unlike <c>string.GetHashCode</c>):
/// FNV-1a over UTF-8 for strings, SplitMix64 to mix the parts. Used to draw seeded random rewards.
/// </summary>
public static class StableHash
{
    /// <summary>FNV-1a, 64 bits, of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Of(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Combines the parts in order into one well-mixed value.</summary>
    public static ulong Combine(params ulong[] parts)
    {
        var state = 0x9E3779B97F4A7C15UL;
        foreach (var part in parts) state = SplitMix(state ^ part);
        return state;
    }

    /// <summary>A uniform draw in [0, 1) from the top 53 bits of <paramref name="hash"/>.</summary>
    public static double ToUnitInterval(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    /// <summary>The SplitMix64 finaliser: one step of a stable, well-mixing 64-bit hash (also the seed mixer of
    /// evaluation batches and training steps).</summary>
    public static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
