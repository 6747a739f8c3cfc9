using System.Diagnostics;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Optimization;
using Rlvr.Torch.Training.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training;

/// <summary>What one rollout batch's updates did.</summary>
public sealed record UpdateStats(
    double Loss, double PolicyLoss, double Kl, double Entropy, double GradNorm,
    int OptimizerSteps, int SkippedSteps, int BadStepsInARow, ClipStatistics Clip,
    long Tokens, double Seconds, double LearningRate);

/// <summary>
/// The PPO/GRPO update on one rollout batch (upstream.md §3.3): old log-probs from the policy before
/// any update (no gradient), then <c>epochs</c> passes over the shuffled samples in train batches of
/// <c>train_batch_size</c>, each the mean of micro-batch losses (gradient accumulation) followed by
/// one optimizer step. With 1,024 samples and train batch 128 that is 8 steps, so later steps are
/// off-policy and the clip can act (the paper's clipping bias).
/// </summary>
public sealed class PolicyUpdater(
    CausalLanguageModel policy,
    CausalLanguageModel? reference,
    MasterWeightAdam optimizer,
    LearningRateSchedule schedule,
    GrpoConfig config,
    int maxNewTokens,
    int padId)
{
    private int _badInARow;

    /// <summary>Skipped updates in a row so far (restored on resume).</summary>
    public int BadStepsInARow { get => _badInARow; set => _badInARow = value; }

    private PolicyLossOptions LossOptions => new(config.EpsLow, config.EpsHigh, config.PolicyLoss, config.LossAggregation, maxNewTokens);

    /// <summary>Runs the updates on <paramref name="samples"/> (advantages set); <paramref name="shuffle"/> orders the micro-batches.</summary>
    public UpdateStats Update(IReadOnlyList<ScoredResponse> samples, Random shuffle)
    {
        var clock = Stopwatch.StartNew();
        var device = policy.Placement.Device;
        var micro = config.MicroBatchSize;

        // 1. Old log-probs (and entropy, for telemetry) from the policy as it sampled, and the reference's.
        var (oldLogProbs, refLogProbs, meanEntropy) = ScoreBeforeUpdate(samples);

        // 2. Updates.
        policy.train();
        var clip = new ClipStatistics();
        double lossSum = 0, pgSum = 0, klSum = 0, gradNormSum = 0;
        int microCount = 0, steps = 0, skipped = 0;
        long tokens = 0;
        for (int epoch = 0; epoch < config.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, samples.Count).ToArray();
            shuffle.Shuffle(order);  // upstream: DataLoader(shuffle=True)
            for (int trainStart = 0; trainStart < order.Length; trainStart += config.TrainBatchSize)
            {
                var trainBatch = order.Skip(trainStart).Take(config.TrainBatchSize).ToArray();
                int accumulation = (trainBatch.Length + micro - 1) / micro;
                bool finite = true;
                optimizer.ZeroGrad();
                for (int m = 0; m < trainBatch.Length; m += micro)
                {
                    using var scope = NewDisposeScope();
                    var indices = trainBatch.Skip(m).Take(micro).ToArray();
                    var items = indices.Select(i => samples[i]).ToArray();
                    using var batch = new SequenceBatch(items, padId, device);
                    var (logp, entropy) = batch.Score(policy, withEntropy: config.EntropyCoef != 0);
                    var old = Pad(indices.Select(i => oldLogProbs[i]).ToArray(), batch.ResponseWidth, device);
                    var advantages = torch.tensor(items.Select(s => s.Advantage).ToArray(), device: device); // [B]
                    var mask = batch.ResponseMask;
                    var pg = GrpoMath.PolicyLoss(logp, old, advantages, mask, LossOptions);
                    var loss = pg;
                    if (reference is not null)
                    {
                        var refLogp = Pad(indices.Select(i => refLogProbs![i]).ToArray(), batch.ResponseWidth, device);
                        var kl = GrpoMath.Aggregate(GrpoMath.KlPerToken(logp, refLogp, config.KlEstimator), mask, config.LossAggregation, maxNewTokens);
                        klSum += kl.item<float>();
                        loss = loss + config.KlCoef * kl;
                    }
                    if (config.EntropyCoef != 0)
                        loss = loss - config.EntropyCoef * GrpoMath.Aggregate(entropy!, mask, config.LossAggregation, maxNewTokens);
                    GrpoMath.CountClipping(logp, old, advantages, mask, LossOptions, clip);
                    float lossValue = loss.item<float>();
                    microCount++;
                    tokens += batch.AttentionMask.sum().item<long>();
                    if (!float.IsFinite(lossValue)) { finite = false; continue; }
                    lossSum += lossValue; pgSum += pg.item<float>();
                    optimizer.AccumulateGradients();   // earlier micro-batches' gradients into fp32 sums
                    (loss / accumulation).backward();  // DeepSpeed averages over accumulation steps
                }
                optimizer.LearningRate = schedule.At(optimizer.Step);
                var result = finite ? optimizer.Apply() : Skip();
                if (result.Applied) { steps++; gradNormSum += result.GradNorm; _badInARow = 0; }
                else { skipped++; _badInARow++; }
            }
        }
        return new UpdateStats(
            Loss: microCount == 0 ? 0 : lossSum / microCount,
            PolicyLoss: microCount == 0 ? 0 : pgSum / microCount,
            Kl: microCount == 0 ? 0 : klSum / microCount,
            Entropy: meanEntropy,
            GradNorm: steps == 0 ? 0 : gradNormSum / steps,
            OptimizerSteps: steps, SkippedSteps: skipped, BadStepsInARow: _badInARow, Clip: clip,
            Tokens: tokens, Seconds: clock.Elapsed.TotalSeconds, LearningRate: optimizer.LearningRate);
    }

    /// <summary>
    /// Per-token log-probs of each response (unpadded) under the policy before any update and under
    /// the reference (null without one), and the policy's mean token entropy; no gradient.
    /// </summary>
    private (float[][] Old, float[][]? Reference, double MeanEntropy) ScoreBeforeUpdate(IReadOnlyList<ScoredResponse> samples)
    {
        var device = policy.Placement.Device;
        var micro = config.MicroBatchSize;
        policy.eval();
        var oldLogProbs = new float[samples.Count][];
        var refLogProbs = reference is null ? null : new float[samples.Count][];
        double entropySum = 0, entropyTokens = 0;
        using (torch.no_grad())
        {
            for (int start = 0; start < samples.Count; start += micro)
            {
                using var scope = NewDisposeScope();
                var items = samples.Skip(start).Take(micro).ToArray();
                using var batch = new SequenceBatch(items, padId, device);
                var (logp, entropy) = batch.Score(policy, withEntropy: true);
                entropySum += (entropy! * batch.ResponseMask).sum().item<float>();
                entropyTokens += batch.ResponseMask.sum().item<float>();
                Unpad(logp, items, oldLogProbs, start);
                if (reference is not null) Unpad(batch.Score(reference, false).LogProbs, items, refLogProbs!, start);
            }
        }
        return (oldLogProbs, refLogProbs, entropyTokens == 0 ? 0 : entropySum / entropyTokens);
    }

    private OptimizerStepResult Skip()
    {
        optimizer.ZeroGrad();
        return new OptimizerStepResult(false, double.NaN);
    }

    private static void Unpad(Tensor logp, ScoredResponse[] items, float[][] into, int offset)
    {
        var host = logp.cpu().data<float>().ToArray();
        int width = (int)logp.shape[1];
        for (int b = 0; b < items.Length; b++)
            into[offset + b] = host.AsSpan(b * width, items[b].ResponseTokens.Length).ToArray();
    }

    private static Tensor Pad(float[][] rows, int width, Device device)
    {
        var flat = new float[rows.Length * width];
        for (int b = 0; b < rows.Length; b++) rows[b].CopyTo(flat, b * width);
        return torch.tensor(flat, [rows.Length, width], device: device);
    }
}
