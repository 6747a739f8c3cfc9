using System.Diagnostics;
using Rlvr.Torch.Distributed;
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
    long Tokens, double Seconds, double LearningRate)
{
    /// <summary>Clip counts at the decision token (the first response token) of strategy-A responses.</summary>
    public ClipStatistics DecisionA { get; init; } = new();
    /// <summary>The same for the other responses (strategy B).</summary>
    public ClipStatistics DecisionB { get; init; } = new();
}

/// <summary>
/// The PPO/GRPO update on one rollout batch (upstream.md §3.3): old log-probs from the policy before
/// any update (no gradient), then <c>epochs</c> passes over the shuffled samples in train batches of
/// <c>train_batch_size</c>, each the mean of micro-batch losses (gradient accumulation) followed by
/// one optimizer step. With 1,024 samples and train batch 128 that is 8 steps, so later steps are
/// off-policy and the clip can act (the paper's clipping bias).
/// </summary>
/// <remarks>
/// Data-parallel ranks (every rank holds the step's whole rollout batch, <see cref="Rollout.GroupExchange"/>)
/// give the update one process gives, by this rule: the shuffle, the train batches and their micro-batches
/// are formed exactly as in one process (the same seed on every rank); micro-batch m of a train batch is
/// computed by rank m mod N; each micro-batch's loss is normalised within itself (the token-mean
/// normaliser is that micro-batch's token count, whichever rank holds it) and divided by the train
/// batch's number of micro-batches (the accumulation count of the GLOBAL batch, not of a rank's share);
/// the ranks' gradient sums are then added (all-reduce) before the one optimizer step. The gradient is
/// thus the same sum of the same micro-batch gradients, only added in another order: identical when each
/// rank holds at most one micro-batch per train batch and the sum of two is commutative, otherwise within
/// a few fp32 ulps per addition. The old log-probs are computed by micro-batch too (chunk c on rank c mod N)
/// and exchanged. Per-micro-batch statistics travel by position, so reported sums are added in one
/// process's order.
/// </remarks>
public sealed class PolicyUpdater(
    CausalLanguageModel policy,
    CausalLanguageModel? reference,
    MasterWeightAdam optimizer,
    LearningRateSchedule schedule,
    GrpoConfig config,
    int maxNewTokens,
    int padId,
    ICollectives? collectives = null)
{
    private readonly ICollectives _collectives = collectives ?? new SingleProcessCollectives();
    private bool Mine(int chunk) => chunk % _collectives.World.Size == _collectives.World.Rank;

    private int _badInARow;

    /// <summary>Skipped updates in a row so far (restored on resume).</summary>
    public int BadStepsInARow { get => _badInARow; set => _badInARow = value; }

    // Per micro-batch statistics: loss, policy loss, KL, tokens.
    private const int MicroStats = 4;

    private PolicyLossOptions LossOptions => new(config.EpsLow, config.EpsHigh, config.PolicyLoss, config.LossAggregation, maxNewTokens);

    private ObjectiveOptions Objective => new(LossOptions, reference is null ? 0 : config.KlCoef, config.KlEstimator, config.EntropyCoef);

    /// <summary>Runs the updates on <paramref name="samples"/> with their <paramref name="advantages"/>; <paramref name="shuffle"/> orders the micro-batches.</summary>
    public UpdateStats Update(IReadOnlyList<ScoredResponse> samples, IReadOnlyList<float> advantages, Random shuffle)
    {
        if (advantages.Count != samples.Count) throw new ArgumentException($"{advantages.Count} advantages for {samples.Count} samples");
        var clock = Stopwatch.StartNew();
        var device = policy.Placement.Device;
        var micro = config.MicroBatchSize;

        // 1. Old log-probs (and entropy, for telemetry) from the policy as it sampled, and the reference's.
        var (oldLogProbs, refLogProbs, meanEntropy) = ScoreBeforeUpdate(samples);

        // 2. Updates. Per micro-batch (in one process's order): loss, policy loss, KL, tokens; NaN loss = not finite.
        policy.train();
        var clip = new ClipStatistics();
        var perMicro = new List<double[]>();
        double gradNormSum = 0;
        int steps = 0, skipped = 0;
        ClipStatistics decisionA = new(), decisionB = new();
        for (int epoch = 0; epoch < config.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, samples.Count).ToArray();
            shuffle.Shuffle(order);  // upstream: DataLoader(shuffle=True)
            for (int trainStart = 0; trainStart < order.Length; trainStart += config.TrainBatchSize)
            {
                var trainBatch = order.Skip(trainStart).Take(config.TrainBatchSize).ToArray();
                int accumulation = (trainBatch.Length + micro - 1) / micro;
                var stats = new double[accumulation * MicroStats];
                optimizer.ZeroGrad();
                for (int m = 0; m < accumulation; m++)
                {
                    if (!Mine(m)) continue;
                    using var scope = NewDisposeScope();
                    var indices = trainBatch.Skip(m * micro).Take(micro).ToArray();
                    var items = indices.Select(i => samples[i]).ToArray();
                    using var batch = new SequenceBatch(items, padId, device);
                    var (logp, entropy) = batch.Score(policy, withEntropy: config.EntropyCoef != 0);
                    var old = Pad(indices.Select(i => oldLogProbs[i]).ToArray(), batch.ResponseWidth, device);
                    var advantage = torch.tensor(indices.Select(i => advantages[i]).ToArray(), device: device); // [B]
                    var mask = batch.ResponseMask;
                    var refLogp = reference is null ? null : Pad(indices.Select(i => refLogProbs![i]).ToArray(), batch.ResponseWidth, device);
                    var (loss, pg, kl) = GrpoMath.Objective(logp, old, refLogp, entropy, advantage, mask, Objective);
                    double klValue = kl is null ? 0 : kl.item<float>();
                    GrpoMath.CountClipping(logp, old, advantage, mask, LossOptions, clip);
                    CountDecisionClipping(items, logp, old, advantage, mask, decisionA, decisionB);
                    float lossValue = loss.item<float>();
                    var row = stats.AsSpan(m * MicroStats, MicroStats);
                    row[0] = lossValue; row[1] = pg.item<float>(); row[2] = klValue; row[3] = batch.AttentionMask.sum().item<long>();
                    if (!float.IsFinite(lossValue)) continue;
                    optimizer.AccumulateGradients();   // earlier micro-batches' gradients into fp32 sums
                    GrpoMath.AccumulationScaled(loss, accumulation).backward();
                }
                _collectives.AllReduceSum(stats);      // each row is non-zero on one rank only: the sum is a copy
                perMicro.AddRange(stats.Chunk(MicroStats));
                bool finite = stats.Chunk(MicroStats).All(r => double.IsFinite(r[0]));
                if (finite && _collectives.World.Size > 1) optimizer.ReduceGradients(_collectives);
                optimizer.LearningRate = schedule.At(optimizer.Step);
                var result = finite ? optimizer.Apply() : Skip();
                if (result.Applied) { steps++; gradNormSum += result.GradNorm; _badInARow = 0; }
                else { skipped++; _badInARow++; }
            }
        }
        clip.Reduce(_collectives);
        decisionA.Reduce(_collectives);
        decisionB.Reduce(_collectives);
        // Sums in one process's order: a non-finite micro-batch counts (as upstream logs it) but adds no loss.
        int microCount = perMicro.Count;
        double lossSum = 0, pgSum = 0, klSum = 0;
        long tokens = 0;
        foreach (var r in perMicro)
        {
            klSum += r[2];
            tokens += (long)r[3];
            if (double.IsFinite(r[0])) { lossSum += (float)r[0]; pgSum += (float)r[1]; }
        }
        return new UpdateStats(
            Loss: microCount == 0 ? 0 : lossSum / microCount,
            PolicyLoss: microCount == 0 ? 0 : pgSum / microCount,
            Kl: microCount == 0 ? 0 : klSum / microCount,
            Entropy: meanEntropy,
            GradNorm: steps == 0 ? 0 : gradNormSum / steps,
            OptimizerSteps: steps, SkippedSteps: skipped, BadStepsInARow: _badInARow, Clip: clip,
            Tokens: tokens, Seconds: clock.Elapsed.TotalSeconds, LearningRate: optimizer.LearningRate)
        { DecisionA = decisionA, DecisionB = decisionB };
    }

    /// <summary>
    /// Clip counts at the first response token, where the strategy task's choice is made, split by the
    /// strategy the response took: which of the two tokens the clip holds back, and on which side.
    /// </summary>
    private void CountDecisionClipping(ScoredResponse[] items, Tensor logp, Tensor old, Tensor advantages, Tensor mask,
        ClipStatistics a, ClipStatistics b)
    {
        using var scope = NewDisposeScope();
        var isA = torch.tensor(items.Select(s => s.StrategyA ? 1f : 0f).ToArray(), device: mask.device).unsqueeze(1); // [B, 1]
        var first = mask.narrow(1, 0, 1);
        var (logp0, old0) = (logp.narrow(1, 0, 1), old.narrow(1, 0, 1));
        GrpoMath.CountClipping(logp0, old0, advantages, first * isA, LossOptions, a);
        GrpoMath.CountClipping(logp0, old0, advantages, first * (1 - isA), LossOptions, b);
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
        // Flat per-token buffers (response tokens of sample i start at offsets[i]); chunk c is filled on rank
        // c mod N and zero elsewhere, so the all-reduce hands every rank a copy.
        var offsets = new int[samples.Count + 1];
        for (int i = 0; i < samples.Count; i++) offsets[i + 1] = offsets[i] + samples[i].ResponseTokens.Length;
        var old = new float[offsets[^1]];
        var refs = reference is null ? null : new float[offsets[^1]];
        int chunks = (samples.Count + micro - 1) / micro;
        var entropy = new double[2 * chunks]; // per chunk: entropy sum, tokens
        using (torch.no_grad())
        {
            for (int c = 0; c < chunks; c++)
            {
                if (!Mine(c)) continue;
                using var scope = NewDisposeScope();
                var items = samples.Skip(c * micro).Take(micro).ToArray();
                using var batch = new SequenceBatch(items, padId, device);
                var (logp, h) = batch.Score(policy, withEntropy: true);
                entropy[2 * c] = (h! * batch.ResponseMask).sum().item<float>();
                entropy[2 * c + 1] = batch.ResponseMask.sum().item<float>();
                Unpad(logp, items, old, offsets.AsSpan(c * micro));
                if (reference is not null) Unpad(batch.Score(reference, false).LogProbs, items, refs!, offsets.AsSpan(c * micro));
            }
        }
        _collectives.AllReduceSum(old);
        if (refs is not null) _collectives.AllReduceSum(refs);
        _collectives.AllReduceSum(entropy);
        double entropySum = 0, entropyTokens = 0;
        for (int c = 0; c < chunks; c++) { entropySum += entropy[2 * c]; entropyTokens += entropy[2 * c + 1]; }
        float[][] Split(float[] flat) => Enumerable.Range(0, samples.Count).Select(i => flat[offsets[i]..offsets[i + 1]]).ToArray();
        return (Split(old), refs is null ? null : Split(refs), entropyTokens == 0 ? 0 : entropySum / entropyTokens);
    }

    private OptimizerStepResult Skip()
    {
        optimizer.ZeroGrad();
        return new OptimizerStepResult(false, double.NaN);
    }

    private static void Unpad(Tensor logp, ScoredResponse[] items, float[] into, ReadOnlySpan<int> offsets)
    {
        var host = logp.cpu().data<float>().ToArray();
        int width = (int)logp.shape[1];
        for (int b = 0; b < items.Length; b++)
            host.AsSpan(b * width, items[b].ResponseTokens.Length).CopyTo(into.AsSpan(offsets[b]));
    }

    private static Tensor Pad(float[][] rows, int width, Device device)
    {
        var flat = new float[rows.Length * width];
        for (int b = 0; b < rows.Length; b++) rows[b].CopyTo(flat, b * width);
        return torch.tensor(flat, [rows.Length, width], device: device);
    }
}
