using System.Globalization;

namespace Rlvr.Core.Rewards;

/// <summary>
/// Builds a reward from its upstream name (the paper's <c>--verify_task</c> grammar, research/upstream.md
/// §1.1): <c>&lt;a&gt;_AND_&lt;b&gt;</c> first, then a leading <c>inverse_</c> (every occurrence removed, as
/// upstream), then a trailing <c>_r1_style</c> (or its README alias <c>_r1_only</c>), then <c>random&lt;p&gt;</c>
/// or one of the base names.
/// </summary>
public static class RewardRegistry
{
    /// <summary>The base reward names.</summary>
    public static IReadOnlyList<string> BaseNames { get; } =
        ["math", "format", "box_only_format", "contain_python", "contain_python_wo_backticks", "no_repetition", "ttt", "ttt_exact"];

    /// <summary>Every accepted form, for error messages and help text.</summary>
    public static string ValidNamesText { get; } =
        string.Join(", ", BaseNames) + ", random<p> with 0 <= p <= 1 (e.g. random0.5), inverse_<name>, "
        + "<name>_r1_style (alias <name>_r1_only), <a>_AND_<b>";

    /// <summary>The reward called <paramref name="name"/>; throws <see cref="ArgumentException"/> naming the
    /// valid forms when the name is unknown.</summary>
    public static IReward Create(string name, RewardOptions? options = null)
    {
        options ??= RewardOptions.Default;
        if (string.IsNullOrWhiteSpace(name)) throw Unknown(name ?? "");

        if (name.Contains("_AND_", StringComparison.Ordinal))
        {
            var parts = name.Split("_AND_");
            return new AndReward(name, parts.Select(p => Create(p, options)).ToArray());
        }

        var rest = name;
        var inverse = false;
        if (rest.StartsWith("inverse_", StringComparison.Ordinal))
        {
            rest = rest.Replace("inverse_", "", StringComparison.Ordinal);
            inverse = true;
        }

        var r1Style = false;
        foreach (var suffix in new[] { "_r1_style", "_r1_only" })
        {
            if (rest.EndsWith(suffix, StringComparison.Ordinal))
            {
                rest = rest[..^suffix.Length];
                r1Style = true;
                break;
            }
        }

        var reward = CreateBase(name, rest, r1Style, options);
        return inverse ? new InverseReward(name, reward) : reward;
    }

    private static IReward CreateBase(string fullName, string baseName, bool r1Style, RewardOptions options)
    {
        if (baseName.StartsWith("random", StringComparison.Ordinal))
        {
            var rate = baseName["random".Length..];
            if (!double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || !(p >= 0 && p <= 1))
                throw new ArgumentException($"reward '{fullName}': '{baseName}' needs a rate 0 <= p <= 1 after 'random' (e.g. random0.5); valid rewards: {ValidNamesText}");
            return new RandomReward(baseName, p);
        }
        return baseName switch
        {
            "math" => new MathReward(baseName, options, r1Style),
            "format" => new FormatReward(baseName, r1Style),
            "box_only_format" => new BoxOnlyFormatReward(baseName, r1Style),
            "contain_python" => new ContainsReward(baseName, "```python"),
            "contain_python_wo_backticks" => new ContainsReward(baseName, "python"),
            "no_repetition" => new NoRepetitionReward(baseName),
            "ttt" => new MajorityVoteReward(baseName, options, r1Style),
            "ttt_exact" => new ExactStringVoteReward(baseName, options, r1Style),
            _ => throw Unknown(fullName),
        };
    }

    private static ArgumentException Unknown(string name) =>
        new($"unknown reward '{name}'; valid rewards: {ValidNamesText}");
}
