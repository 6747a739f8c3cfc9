using System.Globalization;
using Rlvr.Core.Data;

namespace Rlvr.Torch.Training.Tiny;

/// <summary>How the warm start mixes the two strategies of <see cref="StrategyTask"/>.</summary>
/// <param name="AFraction">Fraction of warm-start targets written with strategy A: the base policy's P(A).</param>
/// <param name="BErrorRate">Fraction of strategy-B targets that carry a wrong answer (B is worse by construction).</param>
public sealed record StrategyMix(double AFraction, double BErrorRate);

/// <summary>
/// A model organism of the paper's explanation for spurious rewards. Qwen2.5-Math answers math either
/// with code (more accurate) or in words (less accurate) and the choice is made early in the
/// response; a clipped GRPO update on a random reward moves probability toward whichever strategy the
/// policy already prefers. Here the choice is the FIRST response token: "3+5=" is answered "#8"
/// (strategy A, always right in the warm start) or "8" (strategy B, wrong at a set rate). The warm
/// start's mix sets the base policy's P(A); the reward is the unchanged math reward, which reads the
/// last number of either form. Problems are the arithmetic task's; only the warm-start targets differ.
/// </summary>
public static class StrategyTask
{
    /// <summary>The source name that selects this task in <c>data.source</c>.</summary>
    public const string SourceName = "generated:strategies";
    /// <summary>The first token of a strategy-A response.</summary>
    public const string MarkerA = "#";
    /// <summary>The telemetry pattern (a regex on the response) that recognises strategy A.</summary>
    public const string PatternA = "^#";

    /// <summary>
    /// The arithmetic task's problems; each training label is the sum plus <paramref name="labelShift"/>
    /// (non-zero: the paper's incorrect-label reward; <see cref="TrueAnswer"/> still gives the sum).
    /// </summary>
    public static IReadOnlyList<Problem> Generate(int count, int maxOperand, int seed, int labelShift) =>
        ArithmeticTask.Generate(count, maxOperand, seed).Select(p => p with
        {
            Source = SourceName,
            Label = (Sum(p) + labelShift).ToString(CultureInfo.InvariantCulture),
        }).ToArray();

    /// <summary>The true answer of a problem "a+b=": the sum, whatever its training label.</summary>
    public static string TrueAnswer(Problem problem) => Sum(problem).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One warm-start target drawn from the generator: "#" + sum with probability AFraction; otherwise
    /// the sum, replaced with probability BErrorRate by a wrong answer (the sum plus 1, 2 or 3).
    /// </summary>
    public static string WarmStartTarget(Problem problem, StrategyMix mix, Random random)
    {
        int sum = Sum(problem);
        if (random.NextDouble() < mix.AFraction) return MarkerA + sum.ToString(CultureInfo.InvariantCulture);
        int answer = random.NextDouble() < mix.BErrorRate ? sum + 1 + random.Next(3) : sum;
        return answer.ToString(CultureInfo.InvariantCulture);
    }

    private static int Sum(Problem problem)
    {
        var parts = problem.Prompt.TrimEnd('=').Split('+');
        return int.Parse(parts[0], CultureInfo.InvariantCulture) + int.Parse(parts[1], CultureInfo.InvariantCulture);
    }
}
