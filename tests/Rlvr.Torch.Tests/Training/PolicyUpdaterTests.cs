using Rlvr.Core.Data;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Optimization;
using Rlvr.Torch.Training.Rollout;
using Rlvr.Torch.Training.Tiny;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests.Training;

public class PolicyUpdaterTests
{
    private static readonly TinyModelConfig Tiny = new() { HiddenSize = 32, Layers = 1, Heads = 2, KvHeads = 1, IntermediateSize = 64 };
    private static readonly Problem Problem = new("0", "1+1=", "2", "test", DatasetSplit.Train);

    private static (ScoredResponse Sample, float Advantage) Response(int[] tokens, float advantage) =>
        (new(Problem, [49, 43, 49, 61], tokens, "", false, advantage > 0 ? 1 : 0, 0), advantage);

    private static UpdateStats Update(PolicyUpdater updater, (ScoredResponse Sample, float Advantage)[] items, Random shuffle) =>
        updater.Update(items.Select(x => x.Sample).ToArray(), items.Select(x => x.Advantage).ToArray(), shuffle);

    private static double LogProb(CausalLanguageModel model, ScoredResponse r)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var batch = new SequenceBatch([r], TinyTokenizer.EndOfTextId, model.Placement.Device);
        return batch.Score(model, false).LogProbs.sum().item<float>();
    }

    [Fact]
    public void An_update_raises_positive_advantage_responses_and_lowers_negative_ones()
    {
        using var model = TinyModel.Create(Tiny, Placement.Cpu, seed: 1);
        var good = Response([50, 256], 1f);       // "2<eos>"
        var bad = Response([51, 55, 256], -1f);   // "37<eos>"
        double goodBefore = LogProb(model, good.Sample), badBefore = LogProb(model, bad.Sample);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        using var adam = new MasterWeightAdam(model.named_parameters(), 1e-3);
        var config = new GrpoConfig { TrainBatchSize = 4, MicroBatchSize = 2 };
        var updater = new PolicyUpdater(model, null, adam, new LearningRateSchedule(ScheduleKind.Constant, 1e-3), config, 8, TinyTokenizer.EndOfTextId);
        var stats = Update(updater, [good, bad, good, bad], new Random(0));

        Assert.Equal(1, stats.OptimizerSteps);
        Assert.True(double.IsFinite(stats.Loss));
        Assert.True(LogProb(model, good.Sample) > goodBefore, "log p(good) should rise");
        Assert.True(LogProb(model, bad.Sample) < badBefore, "log p(bad) should fall");
        // Every trainable parameter moved (Adam moves each weight with a nonzero gradient by ~lr).
        foreach (var (name, p) in model.named_parameters())
            Assert.False(p.detach().allclose(before[name], rtol: 0, atol: 0), $"{name} did not change");
    }

    [Fact]
    public void A_NaN_loss_skips_the_update_and_counts_it()
    {
        using var model = TinyModel.Create(Tiny, Placement.Cpu, seed: 2);
        using (torch.no_grad()) model.named_parameters().First(p => p.name.EndsWith("norm.weight")).parameter[0] = float.NaN;
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var adam = new MasterWeightAdam(model.named_parameters(), 1e-3);
        var config = new GrpoConfig { TrainBatchSize = 2, MicroBatchSize = 2 };
        var updater = new PolicyUpdater(model, null, adam, new LearningRateSchedule(ScheduleKind.Constant, 1e-3), config, 8, TinyTokenizer.EndOfTextId);
        var stats = Update(updater, [Response([50, 256], 1f), Response([51, 256], -1f), Response([52, 256], 1f), Response([53, 256], -1f)], new Random(0));
        Assert.Equal(0, stats.OptimizerSteps);
        Assert.Equal(2, stats.SkippedSteps);
        Assert.Equal(2, updater.BadStepsInARow);
        Assert.Equal(0, adam.Step);
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.detach().allclose(before[name], rtol: 0, atol: 0, equal_nan: true), $"{name} changed by a skipped update");
    }

    [Fact]
    public void Padded_batch_scores_equal_the_models_own_log_probs_and_chunking_changes_nothing()
    {
        using var model = TinyModel.Create(Tiny, Placement.Cpu, seed: 3);
        var shortPrompt = new ScoredResponse(Problem, [49, 43, 49, 61], [50, 256], "", false, 0, 0);
        var longPrompt = new ScoredResponse(Problem, [49, 50, 43, 51, 52, 61], [55, 56, 57, 256], "", false, 0, 0);
        using var noGrad = torch.no_grad();
        using var batch = new SequenceBatch([shortPrompt, longPrompt], TinyTokenizer.EndOfTextId, Placement.Cpu.Device);
        var (whole, entropy) = batch.Score(model, withEntropy: true);
        var (chunked, chunkedEntropy) = batch.Score(model, withEntropy: true, maxLogitElements: 1);  // one position at a time

        // Chunking changes only the shape of the vocabulary projection, so BLAS may sum each logit
        // z_v = Σ_i h_i W_vi (H terms) in another order: two orders differ by at most ε = 2·γ_H·max_v Σ_i |h_i W_vi|.
        // log p_v = z_v − logsumexp(z) then moves by at most 2ε, and each evaluation of log_softmax rounds by
        // at most γ_V + 4u (the V-term sum of exponentials, relative, becomes absolute after the log; exp and
        // log to 2 ulps) plus 2u·|logsumexp| + u·|log p|: twice that for two evaluations.
        // The entropy H = −Σ p_v log p_v moves by at most δ_logp · Σ p_v |1 + log p_v| ≤ δ_logp · (1 + H), and
        // each evaluation rounds its V-term sum by γ_V relative to Σ p_v |log p_v| = H (plus 4u per term).
        // These are bounds of every summation order, so they hold on any x86-64 CPU (Intel, AMD), any SIMD width.
        var hidden = model.HiddenStates(batch.InputIds.narrow(1, 0, batch.InputIds.shape[1] - 1), batch.AttentionMask.narrow(1, 0, batch.InputIds.shape[1] - 1));
        var magnitudes = torch.nn.functional.linear(hidden.abs(), model.HeadWeight.abs());            // Σ_i |h_i W_vi|
        var logits = model.ProjectToVocab(hidden);
        long h = Tiny.HiddenSize, v = model.Config.VocabSize;
        double u = RoundingBound.U, gammaV = RoundingBound.Gamma(v);
        double epsilon = 2 * RoundingBound.Gamma(h) * magnitudes.max().item<float>();
        double maxLse = logits.logsumexp(-1).abs().max().item<float>();
        double maxLogP = logits.log_softmax(-1).abs().max().item<float>();
        double maxEntropy = entropy!.max().item<float>();
        double logPBound = 2 * epsilon + 2 * (gammaV + 4 * u + 2 * u * maxLse + u * maxLogP);
        double entropyBound = logPBound * (1 + maxEntropy) + 2 * (gammaV + 4 * u) * maxEntropy;
        double logPDiff = (whole - chunked).abs().max().item<float>(), entropyDiff = (entropy - chunkedEntropy!).abs().max().item<float>();
        Assert.True(logPDiff <= logPBound, $"log-probs differ by {logPDiff:R}, bound {logPBound:R}");
        Assert.True(entropyDiff <= entropyBound, $"entropies differ by {entropyDiff:R}, bound {entropyBound:R}");
        // The bound is far below what a chunking mistake (a shifted position, a wrong row) would cause.
        Assert.True(entropyBound < 1e-3 && logPBound < 1e-3, $"bounds {logPBound:R}, {entropyBound:R} too loose to test anything");

        // Reference: the model's TokenLogProbs on each unpadded sequence alone (next-token targets). Here the
        // whole forward pass runs on other shapes (padding and its mask, another batch size), so every reduction
        // of every layer may sum in another order: RoundingBound.ForwardPass bounds the logits, log-probs move by
        // at most twice that, plus the rounding of the log_softmax above.
        double referenceBound = 2 * RoundingBound.ForwardPass(model.Config, batch.InputIds.shape[1], magnitudes.max().item<float>()) + logPBound;
        Assert.True(referenceBound < 1e-2, $"reference bound {referenceBound:R} too loose to test anything");
        foreach (var (item, row) in new[] { (shortPrompt, 0), (longPrompt, 1) })
        {
            var ids = item.PromptTokens.Concat(item.ResponseTokens).Select(t => (long)t).ToArray();
            var input = torch.tensor(ids[..^1]).unsqueeze(0);
            var targets = torch.tensor(ids[1..]).unsqueeze(0);
            var reference = model.TokenLogProbs(input, targets).squeeze(0).narrow(0, item.PromptTokens.Length - 1, item.ResponseTokens.Length);
            var mine = whole[row].narrow(0, 0, item.ResponseTokens.Length);
            double diff = (mine - reference).abs().max().item<float>();
            Assert.True(diff <= referenceBound, $"row {row}: differs from the unpadded reference by {diff:R}, bound {referenceBound:R}");
        }
    }

    [Fact]
    public void Repeated_updates_leave_no_live_tensors_behind()
    {
        using var model = TinyModel.Create(Tiny, Placement.Cpu, seed: 4);
        using var adam = new MasterWeightAdam(model.named_parameters(), 1e-3);
        var config = new GrpoConfig { TrainBatchSize = 2, MicroBatchSize = 1, KlCoef = 0, EntropyCoef = 0.01 };
        var updater = new PolicyUpdater(model, null, adam, new LearningRateSchedule(ScheduleKind.Constant, 1e-3), config, 8, TinyTokenizer.EndOfTextId);
        (ScoredResponse, float)[] samples = [Response([50, 256], 1f), Response([51, 52, 256], -1f), Response([53, 256], 1f), Response([54, 256], -1f)];
        Update(updater, samples, new Random(0));
        long after1 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Update(updater, samples, new Random(1));
        Update(updater, samples, new Random(2));
        Assert.Equal(after1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
