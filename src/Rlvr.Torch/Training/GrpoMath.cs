// GRPO math, the whole algorithm's arithmetic in one place (upstream: ../research/upstream.md §3.3).
//
// Advantages (per response i of a group g of n responses to one prompt, rewards r):
//     A_i = (r_i - mean_g(r)) / (std_g(r) + 1e-9)      std unbiased (Bessel, n - 1), as torch.std
//     A_i = clamp(A_i, -10, 10)                        upstream's reward_clip_range
//   every response token carries A_i. An all-equal group gives A = 0. A single-sample group has no
//   baseline (torch would give NaN from the n - 1 = 0 divisor): we define A = 0 there.
//   With scale_by_std off (Dr. GRPO) the division is dropped: A_i = r_i - mean_g(r).
// Optional second normalisation (upstream NaiveReplayBuffer.normalize, on by default): over ALL
//   response tokens of the batch, mu = sum_tok A / N_tok, var = sum_tok (A - mu)^2 / N_tok,
//   A <- (A - mu) / sqrt(max(var, 1e-8)). Length-weighted, so zero-spread groups can end up non-zero.
// Policy loss per response token t (PolicyLossKind; ratio rho = exp(logp - logp_old)):
//     ClippedRatio          L_t = -min(rho * A, clamp(rho, 1 - eps_low, 1 + eps_high) * A)   (PPO clip;
//                           eps 0.2 both sides upstream; eps_high > eps_low is DAPO's clip-higher)
//     UnclippedRatio        L_t = -rho * A   (the paper's "clipping disabled": same gradient as PPO
//                           where the clip is inactive, rho * A * grad logp everywhere)
//     UnclippedProbability  L_t = -exp(logp) * A   (upstream's --use_policy_loss_wo_old_log_probs: no
//                           old log-probs, so the gradient p * A * grad logp is weighted by the token's
//                           probability p instead of by rho = p / p_old; far smaller for unlikely tokens)
// Aggregation (LossAggregation):
//     TokenMean              sum_{b,t} L / sum_{b,t} mask          (upstream's code: each micro-batch
//                                                                   of packed sequences; DAPO)
//     SequenceMeanTokenMean  mean_b( sum_t L / sum_t mask )        (the GRPO paper's formula)
//     DrGrpo                 sum_{b,t} L / (B * max_new_tokens)    (Dr. GRPO: a constant normaliser)
// KL to a reference policy (x = logp - logp_ref, per token; the same aggregation as the loss):
//     k1 = x,   k2 = x^2 / 2,   k3 = exp(-x) - 1 + x   (Schulman's estimators; k3 >= 0, unbiased)
// Total (Objective): loss = L_agg + kl_coef * KL_agg - entropy_coef * H_agg, H_t = -sum_v p_v log p_v.
// Gradient accumulation (AccumulationScaled): each micro-batch's loss is divided by the number of
//   micro-batches of its train batch (DeepSpeed averages over accumulation steps), so one optimizer step
//   follows the mean of the micro-batch losses. Under data-parallel ranks that number is the GLOBAL train
//   batch's, and the ranks' gradients are summed: the same mean (PolicyUpdater states the rule).
// Clipping statistics (the paper's clipping bias, upstream.md §6.3): a token is clipped on the low
//   side when A < 0 and rho < 1 - eps_low, on the high side when A > 0 and rho > 1 + eps_high (there
//   the gradient is zero); counted also when clipping is off ("would have been clipped"), overall
//   and per bucket of the token's probability under the old policy.
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training;

/// <summary>How per-token policy losses are reduced to one number (see the file header).</summary>
public enum LossAggregation
{
    /// <summary>Mean over all response tokens of the micro-batch (upstream's code; DAPO).</summary>
    TokenMean,
    /// <summary>Mean over tokens within each sequence, then mean over sequences (GRPO paper).</summary>
    SequenceMeanTokenMean,
    /// <summary>Sum over tokens divided by (sequences x max new tokens) (Dr. GRPO).</summary>
    DrGrpo,
}

/// <summary>Estimator of KL(policy || reference) per token (Schulman, "Approximating KL divergence").</summary>
public enum KlEstimator
{
    /// <summary>k1 = logp - logp_ref (upstream's default).</summary>
    K1,
    /// <summary>k2 = (logp - logp_ref)^2 / 2.</summary>
    K2,
    /// <summary>k3 = exp(logp_ref - logp) - 1 + (logp - logp_ref).</summary>
    K3,
}

/// <summary>The per-token policy loss (formulas in the file header).</summary>
public enum PolicyLossKind
{
    /// <summary>PPO's clipped surrogate, -min(rho * A, clamp(rho) * A) (upstream's default).</summary>
    ClippedRatio,
    /// <summary>The ratio without clipping, -rho * A (the paper's "no clipping" ablation).</summary>
    UnclippedRatio,
    /// <summary>The probability without old log-probs, -exp(logp) * A (upstream --use_policy_loss_wo_old_log_probs).</summary>
    UnclippedProbability,
}

/// <summary>Knobs of the policy loss.</summary>
/// <param name="EpsLow">Lower clip bound: rho is clamped at 1 - EpsLow (upstream 0.2).</param>
/// <param name="EpsHigh">Upper clip bound: rho is clamped at 1 + EpsHigh (upstream 0.2; DAPO 0.28).</param>
/// <param name="Kind">Which loss: the PPO clip or one of the two unclipped losses.</param>
/// <param name="Aggregation">How token losses are reduced.</param>
/// <param name="MaxNewTokens">Dr. GRPO's constant normaliser (the generation budget).</param>
public sealed record PolicyLossOptions(
    double EpsLow = 0.2,
    double EpsHigh = 0.2,
    PolicyLossKind Kind = PolicyLossKind.ClippedRatio,
    LossAggregation Aggregation = LossAggregation.TokenMean,
    int MaxNewTokens = 3072);

/// <summary>Coefficients of the whole objective (file header, "Total").</summary>
/// <param name="Loss">The policy loss and its aggregation (which the KL and entropy terms share).</param>
/// <param name="KlCoef">Weight of the KL term (0: no reference model).</param>
/// <param name="KlEstimator">k1, k2 or k3.</param>
/// <param name="EntropyCoef">Weight of the entropy bonus (0: none).</param>
public sealed record ObjectiveOptions(PolicyLossOptions Loss, double KlCoef = 0, KlEstimator KlEstimator = KlEstimator.K1, double EntropyCoef = 0);

/// <summary>One micro-batch's objective and the terms reported beside it.</summary>
/// <param name="Loss">L_agg + kl_coef * KL_agg - entropy_coef * H_agg (before the accumulation scaling).</param>
/// <param name="PolicyLoss">L_agg.</param>
/// <param name="Kl">KL_agg, or null without a reference.</param>
public sealed record ObjectiveTerms(Tensor Loss, Tensor PolicyLoss, Tensor? Kl);

/// <summary>The GRPO formulas of the file header: advantages, clipped loss, KL, entropy.</summary>
public static class GrpoMath
{
    /// <summary>Bucket edges on the old policy's token probability for clip statistics.</summary>
    public static readonly double[] OldProbabilityEdges = [0.1, 0.5, 0.9];

    /// <summary>
    /// Group-normalised advantages. <paramref name="rewards"/> holds consecutive groups of
    /// <paramref name="groupSize"/> responses (upstream's order: each prompt's samples contiguous).
    /// </summary>
    public static float[] GroupAdvantages(IReadOnlyList<double> rewards, int groupSize,
        bool scaleByStd = true, double clipRange = 10.0)
    {
        if (groupSize < 1) throw new ArgumentOutOfRangeException(nameof(groupSize), "group size must be at least 1");
        if (rewards.Count % groupSize != 0)
            throw new ArgumentException($"{rewards.Count} rewards do not split into groups of {groupSize}", nameof(rewards));
        var advantages = new float[rewards.Count];
        for (int start = 0; start < rewards.Count; start += groupSize)
        {
            if (groupSize == 1) { advantages[start] = 0f; continue; }  // no baseline: no signal
            double mean = 0;
            for (int i = 0; i < groupSize; i++) mean += rewards[start + i];
            mean /= groupSize;
            double squares = 0;
            for (int i = 0; i < groupSize; i++) squares += Math.Pow(rewards[start + i] - mean, 2);
            double std = Math.Sqrt(squares / (groupSize - 1));
            for (int i = 0; i < groupSize; i++)
            {
                double a = rewards[start + i] - mean;
                if (scaleByStd) a /= std + 1e-9;
                advantages[start + i] = (float)Math.Clamp(a, -clipRange, clipRange);
            }
        }
        return advantages;
    }

    /// <summary>
    /// Upstream's second normalisation: whitening over all response tokens of the batch, where
    /// response i contributes <paramref name="responseLengths"/>[i] tokens that all carry advantage i.
    /// </summary>
    public static float[] WhitenOverTokens(IReadOnlyList<float> advantages, IReadOnlyList<int> responseLengths)
    {
        if (advantages.Count != responseLengths.Count)
            throw new ArgumentException("one response length per advantage is required");
        double tokens = 0, sum = 0;
        for (int i = 0; i < advantages.Count; i++) { tokens += responseLengths[i]; sum += advantages[i] * (double)responseLengths[i]; }
        if (tokens == 0) return advantages.ToArray();
        double mu = sum / tokens, squares = 0;
        for (int i = 0; i < advantages.Count; i++) squares += responseLengths[i] * Math.Pow(advantages[i] - mu, 2);
        double scale = Math.Sqrt(Math.Max(squares / tokens, 1e-8));
        return advantages.Select(a => (float)((a - mu) / scale)).ToArray();
    }

    /// <summary>Reduces per-token values [B, T] over the response mask [B, T] as <paramref name="mode"/> says.</summary>
    public static Tensor Aggregate(Tensor perToken, Tensor mask, LossAggregation mode, int maxNewTokens)
    {
        using var scope = NewDisposeScope();
        var masked = perToken * mask;
        Tensor result = mode switch
        {
            LossAggregation.TokenMean => masked.sum() / mask.sum().clamp_min(1),
            LossAggregation.SequenceMeanTokenMean => (masked.sum(1) / mask.sum(1).clamp_min(1)).mean(),
            LossAggregation.DrGrpo => masked.sum() / (perToken.shape[0] * (double)maxNewTokens),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per-token policy loss [B, T] of <see cref="PolicyLossOptions.Kind"/>. <paramref name="advantages"/> is [B] (broadcast to every
    /// token) or [B, T].
    /// </summary>
    public static Tensor PolicyLossPerToken(Tensor logp, Tensor oldLogp, Tensor advantages, PolicyLossOptions options)
    {
        using var scope = NewDisposeScope();
        var a = advantages.dim() == 1 ? advantages.unsqueeze(1) : advantages;  // [B, 1] or [B, T]
        Tensor loss = options.Kind switch
        {
            PolicyLossKind.ClippedRatio => ClippedSurrogate((logp - oldLogp).exp(), a, options),
            PolicyLossKind.UnclippedRatio => -((logp - oldLogp).exp() * a),
            PolicyLossKind.UnclippedProbability => -(logp.exp() * a),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };
        return loss.MoveToOuterDisposeScope();
    }

    private static Tensor ClippedSurrogate(Tensor ratio, Tensor a, PolicyLossOptions options) =>
        -torch.minimum(ratio * a, ratio.clamp(1 - options.EpsLow, 1 + options.EpsHigh) * a);

    /// <summary>Aggregated policy loss (a scalar).</summary>
    public static Tensor PolicyLoss(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask, PolicyLossOptions options)
    {
        using var scope = NewDisposeScope();
        var perToken = PolicyLossPerToken(logp, oldLogp, advantages, options);
        return Aggregate(perToken, mask, options.Aggregation, options.MaxNewTokens).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The advantages of a step's training samples (consecutive groups of <paramref name="groupSize"/>): group
    /// advantages, then, with <paramref name="whiten"/>, the token-weighted whitening over all of them.
    /// </summary>
    public static float[] StepAdvantages(IReadOnlyList<double> rewards, IReadOnlyList<int> responseLengths, int groupSize,
        bool scaleByStd, double clip, bool whiten)
    {
        if (rewards.Count == 0) return [];
        var advantages = GroupAdvantages(rewards, groupSize, scaleByStd, clip);
        return whiten ? WhitenOverTokens(advantages, responseLengths) : advantages;
    }

    /// <summary>
    /// The whole objective of one micro-batch (file header, "Total"): the aggregated policy loss, plus the KL
    /// to the reference when <paramref name="refLogp"/> is given, minus the entropy bonus when its coefficient
    /// is not 0 (<paramref name="entropy"/> per token [B, T] is then required). All tensors [B, T] but the
    /// advantages [B].
    /// </summary>
    public static ObjectiveTerms Objective(Tensor logp, Tensor oldLogp, Tensor? refLogp, Tensor? entropy, Tensor advantages, Tensor mask,
        ObjectiveOptions options)
    {
        var o = options.Loss;
        var pg = PolicyLoss(logp, oldLogp, advantages, mask, o);
        var loss = pg;
        Tensor? kl = null;
        if (refLogp is not null)
        {
            kl = Aggregate(KlPerToken(logp, refLogp, options.KlEstimator), mask, o.Aggregation, o.MaxNewTokens);
            loss = loss + options.KlCoef * kl;
        }
        if (options.EntropyCoef != 0)
            loss = loss - options.EntropyCoef * Aggregate(entropy ?? throw new ArgumentNullException(nameof(entropy)), mask, o.Aggregation, o.MaxNewTokens);
        return new ObjectiveTerms(loss, pg, kl);
    }

    /// <summary>
    /// A micro-batch's loss as it enters backward: divided by the number of micro-batches of its train batch
    /// (the global batch's, under data-parallel ranks), so that the summed gradients are those of the mean loss.
    /// </summary>
    public static Tensor AccumulationScaled(Tensor loss, int microBatchesInTrainBatch) => loss / microBatchesInTrainBatch;

    /// <summary>Per-token KL estimate [B, T] between the policy and the reference.</summary>
    public static Tensor KlPerToken(Tensor logp, Tensor refLogp, KlEstimator estimator)
    {
        using var scope = NewDisposeScope();
        var x = logp - refLogp;
        Tensor kl = estimator switch
        {
            KlEstimator.K1 => x,
            KlEstimator.K2 => x.square() * 0.5,
            KlEstimator.K3 => (-x).exp() - 1 + x,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator)),
        };
        return kl.MoveToOuterDisposeScope();
    }

    /// <summary>Per-token entropy [B, T] of the distribution given by <paramref name="logits"/> [B, T, V].</summary>
    public static Tensor EntropyPerToken(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var logProbs = logits.log_softmax(-1);                    // [B, T, V]
        var entropy = -(logProbs.exp() * logProbs).sum(-1);     // [B, T]
        return entropy.MoveToOuterDisposeScope();
    }

    /// <summary>Log-probability [B, T] of <paramref name="targets"/> [B, T] under <paramref name="logits"/> [B, T, V].</summary>
    public static Tensor TokenLogProbs(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        // log p(target) = logit(target) - logsumexp(logits): avoids materialising a second [B, T, V] tensor.
        var picked = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
        var result = picked - logits.logsumexp(-1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Counts clipped tokens (see the file header) into <paramref name="stats"/>; no gradient.</summary>
    public static void CountClipping(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask,
        PolicyLossOptions options, ClipStatistics stats)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var a = advantages.dim() == 1 ? advantages.unsqueeze(1).expand_as(logp) : advantages;
        var ratio = (logp.detach() - oldLogp).exp();
        var live = mask.to(ScalarType.Bool);
        var low = live & (a < 0) & (ratio < 1 - options.EpsLow);
        var high = live & (a > 0) & (ratio > 1 + options.EpsHigh);
        var oldProb = oldLogp.exp();
        var edges = new[] { 0.0 }.Concat(OldProbabilityEdges).Append(double.PositiveInfinity).ToArray();
        var tokens = new double[edges.Length - 1];
        var lows = new double[tokens.Length];
        var highs = new double[tokens.Length];
        for (int b = 0; b < tokens.Length; b++)
        {
            var inBucket = (oldProb >= edges[b]) & (oldProb < edges[b + 1]);
            tokens[b] = (live & inBucket).sum().item<long>();
            lows[b] = (low & inBucket).sum().item<long>();
            highs[b] = (high & inBucket).sum().item<long>();
        }
        stats.Add(tokens, lows, highs);
    }
}
