using Rlvr.Core.Rewards;

namespace Rlvr.Core.Tests;

/// <summary>
/// The hash behind seeded random rewards, against published test vectors (not values this code produced):
/// random rewards only reproduce across machines and .NET versions if these never change.
/// </summary>
public sealed class RewardsStableHashTests
{
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]       // FNV-1a 64 offset basis (IETF draft-eastlake-fnv)
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Of_is_fnv1a_64_over_utf8(string text, ulong expected)
    {
        Assert.Equal(expected, StableHash.Of(text));
    }

    [Fact]
    public void Combine_steps_splitmix64_from_the_golden_gamma()
    {
        const ulong gamma = 0x9E3779B97F4A7C15UL;
        // SplitMix64 seeded with 0 yields e220a8397b1dcdaf, 6e789e6aa1b965f4, ... (Vigna's reference).
        // Combine starts from gamma and mixes state ^ part, so a first part of gamma reproduces output one,
        // and a second part that cancels back to gamma reproduces output two.
        Assert.Equal(0xe220a8397b1dcdafUL, StableHash.Combine(gamma));
        Assert.Equal(0x6e789e6aa1b965f4UL, StableHash.Combine(gamma, 0xe220a8397b1dcdafUL ^ gamma));
    }

    [Fact]
    public void Unit_interval_uses_the_top_53_bits()
    {
        Assert.Equal(0.0, StableHash.ToUnitInterval(0x7FFUL));                  // low 11 bits ignored
        Assert.Equal(0.5, StableHash.ToUnitInterval(1UL << 63));
        Assert.Equal(1.0 - Math.Pow(2, -53), StableHash.ToUnitInterval(ulong.MaxValue)); // never reaches 1
    }
}
