using Rlvr.Core.Data;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Optimization;
using Rlvr.Torch.Training.Rollout;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training;

/// <summary>
/// A short supervised warm start (teacher-forced cross-entropy on the reference answer followed by
/// EOS) so that a randomly initialised model gets some rewards before GRPO. Used by the tiny models
/// only; the paper starts from pretrained models. A task may draw each example's target itself
/// (the strategy task mixes two answer forms); by default the target is the problem's label.
/// </summary>
public static class WarmStart
{
    /// <summary>Trains <paramref name="model"/> for <c>config.Steps</c> steps; returns the last loss.</summary>
    /// <param name="target">Draws one example's target text (with the warm start's own random); null = the label.</param>
    public static double Run(CausalLanguageModel model, IReadOnlyList<Problem> problems, Func<Problem, int[]> promptTokens,
        Func<string, int[]> encode, int eosId, WarmStartConfig config, int seed, Action<string>? log = null,
        Func<Problem, Random, string>? target = null)
    {
        if (config.Steps <= 0) return double.NaN;
        using var adam = new MasterWeightAdam(model.named_parameters(), config.Lr, beta2: 0.99);
        var random = StepRandom.Create(seed, 0, StepRandom.Stream.WarmStart);
        model.train();
        double last = double.NaN;
        for (int step = 0; step < config.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var items = Enumerable.Range(0, config.BatchSize).Select(_ =>
            {
                var p = problems[random.Next(problems.Count)];
                var text = target?.Invoke(p, random) ?? p.Label;
                return new ScoredResponse(p, promptTokens(p), [.. encode(text), eosId], text, false, 0, 0);
            }).ToArray();
            using var batch = new SequenceBatch(items, eosId, model.Placement.Device);
            var (logp, _) = batch.Score(model, withEntropy: false);
            var loss = -(logp * batch.ResponseMask).sum() / batch.ResponseMask.sum();
            loss.backward();
            adam.Apply();
            last = loss.item<float>();
            if (log is not null && (step + 1) % 20 == 0) log($"warm start {step + 1}/{config.Steps}: loss {last:F3}");
        }
        return last;
    }
}
