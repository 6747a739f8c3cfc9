using Rlvr.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests.Training;

/// <summary>What a batch of independent bandit runs did to the mode's probability.</summary>
/// <param name="MeanChange">Mean over trials of p_mode(end) - p_mode(start).</param>
/// <param name="StandardError">Standard error of that mean (sample std / sqrt(trials)).</param>
/// <param name="Changes">Each trial's change (for paired comparisons of runs with the same draws).</param>
/// <param name="ClipLow">Fraction of sample-updates clipped low (A &lt; 0, ratio &lt; 1 - eps_low).</param>
/// <param name="ClipHigh">Fraction clipped high (A &gt; 0, ratio &gt; 1 + eps_high).</param>
internal sealed record BanditOutcome(double MeanChange, double StandardError, double[] Changes, double ClipLow, double ClipHigh);

/// <summary>
/// The paper's clipping-bias argument on the smallest policy that has it: a softmax over a few arms
/// (one "token" per response), trained with GRPO's loss from <see cref="GrpoMath"/> on advantages that
/// are random signs independent of the arm drawn (a random reward). Many independent bandits run as
/// the rows of one tensor; each row is updated with plain SGD on its own logits, so the only
/// asymmetry is the loss's.
/// </summary>
internal static class ClipBiasBandit
{
    /// <summary>Settings of one simulation.</summary>
    /// <param name="ModeProbability">Starting probability of arm 0 (the mode); the other arms share the rest.</param>
    /// <param name="Arms">Number of arms.</param>
    /// <param name="Trials">Independent bandits (rows).</param>
    /// <param name="RolloutBatches">Rollout batches per trial (fresh samples from the current policy each).</param>
    /// <param name="SamplesPerBatch">Arms sampled per rollout batch.</param>
    /// <param name="UpdatesPerBatch">SGD steps per rollout batch, each on its own slice of the samples.</param>
    /// <param name="Lr">SGD step size on the logits.</param>
    /// <param name="Loss">The policy-loss options (clip on/off, epsilons).</param>
    /// <param name="Seed">Seed of every draw (arms and advantage signs).</param>
    public sealed record Settings(double ModeProbability, int Arms, int Trials, int RolloutBatches, int SamplesPerBatch,
        int UpdatesPerBatch, double Lr, PolicyLossOptions Loss, int Seed);

    internal static BanditOutcome Run(Settings s)
    {
        using var scope = NewDisposeScope();
        int perUpdate = s.SamplesPerBatch / s.UpdatesPerBatch;
        var rest = (1 - s.ModeProbability) / (s.Arms - 1);
        var start = Enumerable.Range(0, s.Arms).Select(k => Math.Log(k == 0 ? s.ModeProbability : rest)).ToArray();
        var logits = torch.tensor(start, float64).unsqueeze(0).repeat(s.Trials, 1).requires_grad_(true); // [trials, arms]
        var random = new Random(s.Seed);
        long clippedLow = 0, clippedHigh = 0, counted = 0;
        for (int batch = 0; batch < s.RolloutBatches; batch++)
        {
            // Rollout: arms drawn from the current policy, advantages +-1 independent of everything.
            var probs = logits.detach().softmax(1).data<double>().ToArray();
            var arms = new long[s.Trials * s.SamplesPerBatch];
            var signs = new double[arms.Length];
            for (int t = 0; t < s.Trials; t++)
                for (int i = 0; i < s.SamplesPerBatch; i++)
                {
                    arms[t * s.SamplesPerBatch + i] = Draw(probs.AsSpan(t * s.Arms, s.Arms), random.NextDouble());
                    signs[t * s.SamplesPerBatch + i] = random.Next(2) == 0 ? -1 : 1;
                }
            var armTensor = torch.tensor(arms, [s.Trials, s.SamplesPerBatch]);
            var advantages = torch.tensor(signs, [s.Trials, s.SamplesPerBatch], float64);
            var oldLogp = logits.detach().log_softmax(1).gather(1, armTensor);   // [trials, samples]
            for (int u = 0; u < s.UpdatesPerBatch; u++)
            {
                using var step = NewDisposeScope();
                var slice = torch.arange(u * perUpdate, (u + 1) * perUpdate);
                var arm = armTensor.index_select(1, slice);
                var logp = logits.log_softmax(1).gather(1, arm);                    // [trials, perUpdate]
                var old = oldLogp.index_select(1, slice);
                var a = advantages.index_select(1, slice);
                var mask = torch.ones_like(logp);
                // The token mean runs over all rows; times Trials it is each row's own mean.
                var loss = GrpoMath.PolicyLoss(logp, old, a, mask, s.Loss) * s.Trials;
                var stats = new ClipStatistics();
                GrpoMath.CountClipping(logp, old, a, mask, s.Loss, stats);
                clippedLow += (long)Math.Round(stats.LowFraction * stats.Tokens);
                clippedHigh += (long)Math.Round(stats.HighFraction * stats.Tokens);
                counted += (long)stats.Tokens;
                loss.backward();
                using (torch.no_grad()) logits.sub_(logits.grad! * s.Lr);
                logits.grad!.zero_();
            }
        }
        var end = logits.detach().softmax(1).select(1, 0).data<double>().ToArray();
        var changes = end.Select(p => p - s.ModeProbability).ToArray();
        var (mean, se) = MeanAndError(changes);
        return new BanditOutcome(mean, se, changes, clippedLow / (double)counted, clippedHigh / (double)counted);
    }

    /// <summary>Mean and standard error of <paramref name="values"/>.</summary>
    internal static (double Mean, double StandardError) MeanAndError(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, Math.Sqrt(variance / values.Count));
    }

    private static long Draw(ReadOnlySpan<double> probs, double u)
    {
        double cumulative = 0;
        for (int k = 0; k < probs.Length; k++) { cumulative += probs[k]; if (u < cumulative) return k; }
        return probs.Length - 1;
    }
}
