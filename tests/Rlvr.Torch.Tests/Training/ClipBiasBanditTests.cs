using Rlvr.Torch.Training;

namespace Rlvr.Torch.Tests.Training;

/// <summary>
/// The paper's mechanism for random rewards, on the project's own loss (<see cref="GrpoMath.PolicyLoss"/>)
/// away from transformers: a softmax policy over a few arms, advantages that are random signs.
///
/// The argument (the paper's §4.4.2 / App. B, in our words): with advantages independent of the
/// response, E[A] = 0, so the UNCLIPPED surrogate -rho*A has a zero expected gradient and the logits
/// only diffuse. The clip removes the gradient of a sample when A &gt; 0 and rho &gt; 1 + eps_high or when
/// A &lt; 0 and rho &lt; 1 - eps_low; what is removed is no longer zero-mean, and the remainder pushes each
/// token's probability back into [p_old(1 - eps_low), p_old(1 + eps_high)]. For a token with
/// p_old &gt; 1/(1 + eps_high) (0.833 at eps 0.2) the upper edge is above 1 and can never be reached, so
/// only the upward push remains: the mode's probability RISES in expectation. The clip acts only
/// after the policy has moved away from the one that sampled, i.e. with several updates per rollout
/// batch; with one update rho = 1 and clipped and unclipped losses give the same gradient.
///
/// Without clipping the mode's probability does not rise: its logit has no drift, and the softmax's
/// curvature near p = 0.9 turns that diffusion into a small fall.
/// Numbers are means over 2,000 independent bandits (rows of one tensor) with their standard errors;
/// the thresholds (5 SE for an effect, 2 SE for "no rise") leave margin for the last-bit differences
/// between CPUs (a measured sweep of this bandit is in bench/RESULTS.md).
/// </summary>
public class ClipBiasBanditTests
{
    // 4 arms, mode at 0.9 (above 1/1.2); 5 rollout batches of 64 samples each; SGD lr 2 on the logits.
    private static ClipBiasBandit.Settings Mode90(int updates, bool clip, int arms = 4, double mode = 0.9) =>
        new(mode, arms, Trials: 2000, RolloutBatches: 5, SamplesPerBatch: 64, UpdatesPerBatch: updates, Lr: 2.0,
            new PolicyLossOptions(Kind: clip ? PolicyLossKind.ClippedRatio : PolicyLossKind.UnclippedRatio), Seed: 13);

    [Fact]
    public void Clipped_loss_with_several_updates_per_batch_raises_the_mode_on_random_advantages()
    {
        var clipped = ClipBiasBandit.Run(Mode90(updates: 8, clip: true));
        var unclipped = ClipBiasBandit.Run(Mode90(updates: 8, clip: false));
        // measured: clip +0.0153 (SE 0.0017), no clip -0.145 (SE 0.008)
        Assert.True(clipped.MeanChange > 5 * clipped.StandardError,
            $"clipped: mode change {clipped.MeanChange:+0.0000;-0.0000} (SE {clipped.StandardError:0.0000}) should be a rise");
        Assert.True(unclipped.MeanChange < 2 * unclipped.StandardError,
            $"unclipped: mode change {unclipped.MeanChange:+0.0000;-0.0000} (SE {unclipped.StandardError:0.0000}) should not be a rise");
        // The same draws for both: the paired difference is the clip's own contribution.
        var (diff, diffSe) = ClipBiasBandit.MeanAndError(clipped.Changes.Zip(unclipped.Changes, (c, u) => c - u).ToArray());
        Assert.True(diff > 5 * diffSe, $"clip minus no clip {diff:+0.0000;-0.0000} (SE {diffSe:0.0000})");
        // Both sides occur: the mode cannot be clipped high while p_old > 1/(1 + eps), the rarer arms can.
        Assert.True(clipped.ClipLow > 0 && clipped.ClipHigh > 0);
    }

    [Fact]
    public void One_update_per_batch_is_on_policy_the_clip_never_acts_and_the_mode_does_not_rise()
    {
        var clipped = ClipBiasBandit.Run(Mode90(updates: 1, clip: true));
        var unclipped = ClipBiasBandit.Run(Mode90(updates: 1, clip: false));
        Assert.Equal(0, clipped.ClipLow);
        Assert.Equal(0, clipped.ClipHigh);
        Assert.Equal(unclipped.Changes, clipped.Changes);   // rho = 1: the same gradient, bit for bit
        Assert.True(clipped.MeanChange < 2 * clipped.StandardError,
            $"one update: mode change {clipped.MeanChange:+0.0000;-0.0000} (SE {clipped.StandardError:0.0000}) should not be a rise");
    }

    [Fact]
    public void Two_equally_likely_arms_have_no_mode_and_no_drift_under_the_clip()
    {
        // By symmetry E[change] = 0 exactly: a check that the simulation itself has no bias.
        var clipped = ClipBiasBandit.Run(Mode90(updates: 8, clip: true, arms: 2, mode: 0.5));
        Assert.True(Math.Abs(clipped.MeanChange) < 3 * clipped.StandardError,
            $"p = 0.5: change {clipped.MeanChange:+0.0000;-0.0000} (SE {clipped.StandardError:0.0000}) should be noise");
        Assert.True(clipped.ClipLow > 0.05 && clipped.ClipHigh > 0.05);
    }
}
