using System.Globalization;
using Rlvr.Core.Data;

namespace Rlvr.Torch.Training.Tiny;

/// <summary>
/// The generated task of tiny-cpu: "a+b=" with a, b in 0..maxOperand, label the sum as
/// text. Short enough for a tiny model, checkable by the registry's <c>math</c> reward (its
/// last-number fallback reads "12" out of "12&lt;|endoftext|&gt;").
/// </summary>
public static class ArithmeticTask
{
    /// <summary>The source name that selects this task in <c>data.source</c>.</summary>
    public const string SourceName = "generated:arithmetic";

    /// <summary>
    /// Every distinct problem ((maxOperand + 1)^2 of them) in an order shuffled with <paramref name="seed"/>, at most
    /// <paramref name="count"/>; taking held-out rows from one end keeps them disjoint from training.
    /// </summary>
    public static IReadOnlyList<Problem> Generate(int count, int maxOperand, int seed)
    {
        var pairs = new List<(int A, int B)>();
        for (int a = 0; a <= maxOperand; a++)
            for (int b = 0; b <= maxOperand; b++) pairs.Add((a, b));
        var order = pairs.ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(count).Select((p, i) => new Problem(
            i.ToString(CultureInfo.InvariantCulture),
            $"{p.A}+{p.B}=",
            (p.A + p.B).ToString(CultureInfo.InvariantCulture),
            SourceName,
            DatasetSplit.Train)).ToArray();
    }
}
