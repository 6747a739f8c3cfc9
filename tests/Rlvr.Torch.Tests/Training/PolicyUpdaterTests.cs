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

    private static ScoredResponse Response(int[] tokens, float advantage) =>
        new(Problem, [49, 43, 49, 61], tokens, "", false, advantage > 0 ? 1 : 0, 0) { Advantage = advantage };

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
        double goodBefore = LogProb(model, good), badBefore = LogProb(model, bad);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        using var adam = new MasterWeightAdam(model.named_parameters(), 1e-3);
        var config = new GrpoConfig { TrainBatchSize = 4, MicroBatchSize = 2 };
        var updater = new PolicyUpdater(model, null, adam, new LearningRateSchedule(ScheduleKind.Constant, 1e-3), config, 8, TinyTokenizer.EndOfTextId);
        var stats = updater.Update([good, bad, good, bad], new Random(0));

        Assert.Equal(1, stats.OptimizerSteps);
        Assert.True(double.IsFinite(stats.Loss));
        Assert.True(LogProb(model, good) > goodBefore, "log p(good) should rise");
        Assert.True(LogProb(model, bad) < badBefore, "log p(bad) should fall");
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
        var stats = updater.Update([Response([50, 256], 1f), Response([51, 256], -1f), Response([52, 256], 1f), Response([53, 256], -1f)], new Random(0));
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
        Assert.True(whole.allclose(chunked, rtol: 0, atol: 1e-6) && entropy!.allclose(chunkedEntropy!, rtol: 0, atol: 1e-6));
        // Reference: the model's TokenLogProbs on each unpadded sequence alone (next-token targets).
        foreach (var (item, row) in new[] { (shortPrompt, 0), (longPrompt, 1) })
        {
            var ids = item.PromptTokens.Concat(item.ResponseTokens).Select(t => (long)t).ToArray();
            var input = torch.tensor(ids[..^1]).unsqueeze(0);
            var targets = torch.tensor(ids[1..]).unsqueeze(0);
            var reference = model.TokenLogProbs(input, targets).squeeze(0).narrow(0, item.PromptTokens.Length - 1, item.ResponseTokens.Length);
            var mine = whole[row].narrow(0, 0, item.ResponseTokens.Length);
            Assert.True(mine.allclose(reference, rtol: 0, atol: 1e-5), $"row {row}: {string.Join(",", mine.data<float>().ToArray())} vs {string.Join(",", reference.data<float>().ToArray())}");
        }
    }

    [Fact]
    public void Repeated_updates_leave_no_live_tensors_behind()
    {
        using var model = TinyModel.Create(Tiny, Placement.Cpu, seed: 4);
        using var adam = new MasterWeightAdam(model.named_parameters(), 1e-3);
        var config = new GrpoConfig { TrainBatchSize = 2, MicroBatchSize = 1, KlCoef = 0, EntropyCoef = 0.01 };
        var updater = new PolicyUpdater(model, null, adam, new LearningRateSchedule(ScheduleKind.Constant, 1e-3), config, 8, TinyTokenizer.EndOfTextId);
        ScoredResponse[] samples = [Response([50, 256], 1f), Response([51, 52, 256], -1f), Response([53, 256], 1f), Response([54, 256], -1f)];
        updater.Update(samples, new Random(0));
        long after1 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        updater.Update(samples, new Random(1));
        updater.Update(samples, new Random(2));
        Assert.Equal(after1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
