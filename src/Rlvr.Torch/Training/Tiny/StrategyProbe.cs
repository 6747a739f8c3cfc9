using Rlvr.Core.Data;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training.Tiny;

/// <summary>
/// The policy's exact strategy mix and accuracy on the strategy task, averaged over problems.
/// </summary>
/// <param name="StrategyA">Mean over problems of P(first response token = "#"), the probability of strategy A.</param>
/// <param name="Accuracy">Mean of P("#" sum EOS) + P(sum EOS): the probability that a temperature-1 sample is
/// one of the two correct canonical responses (a lower bound on sampled accuracy: a response such as
/// "08" is also graded correct but has negligible probability after the warm start).</param>
/// <param name="AccuracyA">P(correct | strategy A) pooled over problems: sum P("#" sum EOS) / sum P(A).</param>
/// <param name="AccuracyB">P(correct | not A) pooled over problems: sum P(sum EOS) / sum (1 - P(A)).</param>
public sealed record StrategyExact(double StrategyA, double Accuracy, double AccuracyA, double AccuracyB);

/// <summary>
/// Computes <see cref="StrategyExact"/> from one teacher-forced scoring pass over both correct
/// responses of every problem, with no sampling: the numbers a run moves, without the noise of a
/// few hundred samples.
/// </summary>
public static class StrategyProbe
{
    /// <summary>Scores <paramref name="problems"/> under <paramref name="model"/> (no gradient).</summary>
    public static StrategyExact Measure(CausalLanguageModel model, IReadOnlyList<Problem> problems,
        Func<Problem, int[]> promptTokens, Func<string, int[]> encode, int eosId)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        bool wasTraining = model.training;
        model.eval();
        // Rows 0..n-1: "#" + sum + EOS (strategy A); rows n..2n-1: sum + EOS (strategy B).
        var items = new List<ScoredResponse>(2 * problems.Count);
        foreach (var prefix in new[] { StrategyTask.MarkerA, "" })
            foreach (var p in problems)
                items.Add(new ScoredResponse(p, promptTokens(p), [.. encode(prefix + StrategyTask.TrueAnswer(p)), eosId], "", false, 0, 0));
        using var batch = new SequenceBatch(items, eosId, model.Placement.Device);
        var (logp, _) = batch.Score(model, withEntropy: false);                       // [2n, R]
        var sequence = (logp * batch.ResponseMask).sum(1).to(float64).exp().cpu().data<double>().ToArray(); // P(whole response)
        var first = logp.select(1, 0).to(float64).exp().cpu().data<double>().ToArray();                     // P(first token)
        if (wasTraining) model.train();
        int n = problems.Count;
        double pA = 0, correctA = 0, correctB = 0;
        for (int i = 0; i < n; i++) { pA += first[i]; correctA += sequence[i]; correctB += sequence[n + i]; }
        return new StrategyExact(pA / n, (correctA + correctB) / n, correctA / Math.Max(pA, 1e-300), correctB / Math.Max(n - pA, 1e-300));
    }
}
