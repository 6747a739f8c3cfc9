using Rlvr.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests.Training;

/// <summary>Each GRPO formula on small tensors whose results were worked out by hand (in the comments).</summary>
public class GrpoMathTests
{
    private static void Near(double expected, double actual, double tol = 1e-5) =>
        Assert.True(Math.Abs(expected - actual) <= tol, $"expected {expected}, got {actual}");

    [Fact]
    public void Group_advantages_use_the_unbiased_std()
    {
        // [1,0,0,0]: mean .25, squares .75, /3 = .25, std .5 => 1.5, -.5, -.5, -.5
        // [1,1,0,0]: mean .5, squares 1, /3, std .57735 => +-.866025
        // [1,1,1,1]: all equal => 0
        var a = GrpoMath.GroupAdvantages([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1], groupSize: 4);
        double[] expected = [1.5, -0.5, -0.5, -0.5, 0.866025, 0.866025, -0.866025, -0.866025, 0, 0, 0, 0];
        for (int i = 0; i < expected.Length; i++) Near(expected[i], a[i]);
    }

    [Fact]
    public void All_equal_groups_and_single_sample_groups_give_zero()
    {
        Assert.All(GrpoMath.GroupAdvantages([0, 0, 0, 0.5, 0.5, 0.5], 3), a => Assert.Equal(0f, a));
        // n = 1: no baseline (torch's n - 1 divisor would give NaN); defined as 0.
        Assert.All(GrpoMath.GroupAdvantages([1, 0, 1], 1), a => Assert.Equal(0f, a));
    }

    [Fact]
    public void Advantages_are_clipped_and_std_scaling_can_be_dropped()
    {
        // Without std scaling (Dr. GRPO): [30, 0] => +-15, clipped to +-10.
        var a = GrpoMath.GroupAdvantages([30, 0], 2, scaleByStd: false);
        Assert.Equal([10f, -10f], a);
        // With it: [3, 1] => mean 2, std sqrt(2) => +-0.707107
        var b = GrpoMath.GroupAdvantages([3, 1], 2);
        Near(0.707107, b[0]); Near(-0.707107, b[1]);
        Assert.Throws<ArgumentException>(() => GrpoMath.GroupAdvantages([1, 0, 1], 2));
    }

    [Fact]
    public void Whitening_is_length_weighted_over_tokens()
    {
        // A [1.5, -.5], lengths [1, 3]: mu 0, var (2.25 + 3*.25)/4 = .75 => [1.732051, -.577350]
        var w = GrpoMath.WhitenOverTokens([1.5f, -0.5f], [1, 3]);
        Near(1.732051, w[0]); Near(-0.577350, w[1]);
        // A [1, -1, 0, 0], lengths [3, 1, 1, 1]: mu 2/6 = 1/3, var (3*(2/3)^2 + (4/3)^2 + 2*(1/3)^2)/6 = 5/9
        // => [.894427, -1.788854, -.447214, -.447214]: the zero-spread group's responses move off 0.
        var z = GrpoMath.WhitenOverTokens([1f, -1f, 0f, 0f], [3, 1, 1, 1]);
        double[] expected = [0.894427, -1.788854, -0.447214, -0.447214];
        for (int i = 0; i < 4; i++) Near(expected[i], z[i]);
        // all zero: the variance floor 1e-8 keeps it finite and zero
        Assert.All(GrpoMath.WhitenOverTokens([0f, 0f], [2, 5]), v => Assert.Equal(0f, v));
    }

    // Two responses, two tokens each. Ratios: seq0 [1.5, 0.9] with A = +1; seq1 [0.5, 1.1] with A = -2;
    // the last token of seq1 is padding. Old probabilities: seq0 [.05, .6], seq1 [.95, .3].
    private static (Tensor logp, Tensor old, Tensor adv, Tensor mask) Case()
    {
        var old = torch.tensor(new double[] { 0.05, 0.6, 0.95, 0.3 }).log().reshape(2, 2).to(float32);
        var ratio = torch.tensor(new float[] { 1.5f, 0.9f, 0.5f, 1.1f }).reshape(2, 2);
        var logp = (old + ratio.log()).detach().requires_grad_(true);
        var adv = torch.tensor(new float[] { 1f, -2f });
        var mask = torch.tensor(new float[] { 1, 1, 1, 0 }).reshape(2, 2);
        return (logp, old, adv, mask);
    }

    [Fact]
    public void Clipped_loss_for_each_aggregation()
    {
        // per token: seq0 t0: min(1.5, 1.2)*1 => -1.2 (high clip); t1: -0.9;
        //            seq1 t0: min(0.5*-2, 0.8*-2) = -1.6 => 1.6 (low clip); t1 masked.
        var (logp, old, adv, mask) = Case();
        var opts = new PolicyLossOptions();
        Near(-0.5 / 3, GrpoMath.PolicyLoss(logp, old, adv, mask, opts).item<float>());                       // token mean
        Near(0.275, GrpoMath.PolicyLoss(logp, old, adv, mask, opts with { Aggregation = LossAggregation.SequenceMeanTokenMean }).item<float>()); // (-1.05 + 1.6)/2
        Near(-0.0625, GrpoMath.PolicyLoss(logp, old, adv, mask, opts with { Aggregation = LossAggregation.DrGrpo, MaxNewTokens = 4 }).item<float>()); // -0.5/(2*4)
    }

    [Fact]
    public void Clip_higher_variant()
    {
        var (logp, old, adv, mask) = Case();
        // eps_high .28: seq0 t0 => -1.28; (-1.28 - 0.9 + 1.6)/3
        Near(-0.58 / 3, GrpoMath.PolicyLoss(logp, old, adv, mask, new PolicyLossOptions(EpsHigh: 0.28)).item<float>());
    }

    [Fact]
    public void Unclipped_ratio_loss_and_gradient()
    {
        // L = -rho * A: (-1.5*1 - 0.9*1 + 0.5*2)/3 tokens; dL/dlogp = -rho * A / 3 on every live token
        var (logp, old, adv, mask) = Case();
        var loss = GrpoMath.PolicyLoss(logp, old, adv, mask, new PolicyLossOptions(Kind: PolicyLossKind.UnclippedRatio));
        Near(-1.4 / 3, loss.item<float>());
        loss.backward();
        var g = logp.grad!.data<float>().ToArray();
        Near(-0.5, g[0]); Near(-0.3, g[1]); Near(1.0 / 3, g[2]); Near(0, g[3]);
    }

    [Fact]
    public void Unclipped_probability_loss_ignores_old_log_probs()
    {
        // upstream's --use_policy_loss_wo_old_log_probs: L = -p * A with p = old * rho =
        // [.075, .54 | .475, (.33 padding)]: (-.075 - .54 + .95)/3; dL/dlogp = -p * A / 3
        var (logp, old, adv, mask) = Case();
        var options = new PolicyLossOptions(Kind: PolicyLossKind.UnclippedProbability);
        var loss = GrpoMath.PolicyLoss(logp, old, adv, mask, options);
        Near(0.335 / 3, loss.item<float>());
        loss.backward();
        var g = logp.grad!.data<float>().ToArray();
        Near(-0.025, g[0]); Near(-0.18, g[1]); Near(0.95 / 3, g[2]); Near(0, g[3]);
        // per sequence then mean: ((-.075 - .54)/2 + .95)/2; the old log-probs play no part
        Near(0.32125, GrpoMath.PolicyLoss(logp, torch.zeros_like(old), adv, mask,
            options with { Aggregation = LossAggregation.SequenceMeanTokenMean }).item<float>());
    }

    [Fact]
    public void Clipped_tokens_get_no_gradient()
    {
        var (logp, old, adv, mask) = Case();
        GrpoMath.PolicyLoss(logp, old, adv, mask, new PolicyLossOptions()).backward();
        // only seq0 t1 is live and unclipped: d(-rho*A)/dlogp = -rho*A = -0.9, / 3 tokens = -0.3
        var g = logp.grad!.data<float>().ToArray();
        Near(0, g[0]); Near(-0.3, g[1]); Near(0, g[2]); Near(0, g[3]);
    }

    [Fact]
    public void Clip_statistics_by_side_and_old_probability()
    {
        var (logp, old, adv, mask) = Case();
        var stats = new ClipStatistics();
        GrpoMath.CountClipping(logp, old, adv, mask, new PolicyLossOptions(), stats);
        Assert.Equal(3, stats.Tokens);
        Near(1.0 / 3, stats.LowFraction); Near(1.0 / 3, stats.HighFraction);
        Assert.Equal(["p0-0.1", "p0.1-0.5", "p0.5-0.9", "p0.9-1"], ClipStatistics.BucketNames);
        // seq0 t0 (old .05, high clip) | seq1 t1 (old .3) is padding | seq0 t1 (old .6) | seq1 t0 (old .95, low clip)
        Assert.Equal(1, stats.BucketTokens(0)); Near(1, stats.BucketHighFraction(0)); Near(0, stats.BucketLowFraction(0));
        Assert.Equal(0, stats.BucketTokens(1));
        Assert.Equal(1, stats.BucketTokens(2)); Near(0, stats.BucketHighFraction(2)); Near(0, stats.BucketLowFraction(2));
        Assert.Equal(1, stats.BucketTokens(3)); Near(1, stats.BucketLowFraction(3));
        // also counted (as "would have been clipped") when clipping is off; eps_high .6 un-clips seq0 t0
        var wide = new ClipStatistics();
        GrpoMath.CountClipping(logp, old, adv, mask, new PolicyLossOptions(EpsHigh: 0.6, Kind: PolicyLossKind.UnclippedRatio), wide);
        Near(0, wide.HighFraction); Near(1.0 / 3, wide.LowFraction);
    }

    [Fact]
    public void Kl_estimators()
    {
        // x = logp - ref = [0.5, -1]: k1 = x; k2 = x^2/2 = [.125, .5]; k3 = e^-x - 1 + x = [.106531, .718282]
        var logp = torch.tensor(new float[] { 0.5f, -1f });
        var refLogp = torch.zeros(2);
        float[] K(KlEstimator e) => GrpoMath.KlPerToken(logp, refLogp, e).data<float>().ToArray();
        var k1 = K(KlEstimator.K1); Near(0.5, k1[0]); Near(-1, k1[1]);
        var k2 = K(KlEstimator.K2); Near(0.125, k2[0]); Near(0.5, k2[1]);
        var k3 = K(KlEstimator.K3); Near(0.106531, k3[0]); Near(0.718282, k3[1]);
    }

    [Fact]
    public void Entropy_and_token_log_probs()
    {
        // logits [0, 0] => ln 2; [ln 3, 0] => p = (.75, .25), H = .562335, log p(0) = ln .75
        var logits = torch.tensor(new float[] { 0f, 0f, MathF.Log(3f), 0f }).reshape(1, 2, 2);
        var h = GrpoMath.EntropyPerToken(logits).data<float>().ToArray();
        Near(0.693147, h[0]); Near(0.562335, h[1]);
        var lp = GrpoMath.TokenLogProbs(logits, torch.tensor(new long[] { 1, 0 }).reshape(1, 2)).data<float>().ToArray();
        Near(Math.Log(0.5), lp[0]); Near(Math.Log(0.75), lp[1]);
    }
}
