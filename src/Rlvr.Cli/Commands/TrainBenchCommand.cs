using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Torch.Distributed;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Optimization;
using Rlvr.Torch.Training.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr bench train`: the speed of one GRPO optimizer step (forward with gradients over prompt +
/// response, clipped PPO loss, backward, grad-norm clip, Adam on fp32 masters) on a random-weight
/// preset model, in tokens per second of the whole sequences: the same measure as
/// ../shared/device/hf_baseline.py's hf_train_tok_s (which uses a plain LM loss and AdamW).
/// Under <c>mpirun -np N</c> every rank runs the step on its own batch and the gradients are all-reduced
/// (NCCL on CUDA, MPI on CPU; RLVR_COLLECTIVES=nccl forces NCCL in one GPU process), optionally with the
/// optimizer state sharded (--zero-stage 1); the time and bytes in collectives are printed per step.
/// </summary>
public static class TrainBenchCommand
{
    public static Command Create()
    {
        var common = new BenchModelOptions(defaultRepeats: 3);
        var batch = new Option<int>("--batch") { Description = "Sequences per optimizer step.", DefaultValueFactory = _ => 8 };
        var micro = new Option<int>("--micro-batch") { Description = "Sequences per forward/backward (gradient accumulation).", DefaultValueFactory = _ => 8 };
        var promptLength = new Option<int>("--prompt") { Description = "Prompt tokens per sequence.", DefaultValueFactory = _ => 64 };
        var responseLength = new Option<int>("--new") { Description = "Response tokens per sequence (the loss is on these).", DefaultValueFactory = _ => 64 };
        var checkpointing = new Option<bool>("--gradient-checkpointing") { Description = "Recompute layer activations in backward (as the Hugging Face baseline measures)." };
        var zero = new Option<int>("--zero-stage") { Description = "Optimizer state over ranks: 0 replicated, 1 sharded (ZeRO-1), 2 also the gradients (ZeRO-2).", DefaultValueFactory = _ => 0 };
        var command = new Command("train", "Time GRPO optimizer steps on a random-weight preset model.");
        common.AddTo(command, batch, micro, promptLength, responseLength, checkpointing, zero);
        command.SetAction(parse =>
        {
            if (!common.TryResolve(parse, "train", out var config, out var placement, batch, micro, promptLength, responseLength)) return 2;
            var (b, m, p, n) = (parse.GetValue(batch), parse.GetValue(micro), parse.GetValue(promptLength), parse.GetValue(responseLength));
            if (parse.GetValue(zero) is not (0 or 1 or 2)) { Console.Error.WriteLine($"error: --zero-stage {parse.GetValue(zero)}: expected 0, 1 or 2"); return 2; }
            var world = World.FromEnvironment();
            if (world.Size > 1 && placement.Device.type == DeviceType.CUDA) placement = placement with { Device = torch.device(DeviceType.CUDA, world.LocalRank) };
            using var collectives = Collectives.Open(world, placement.Device.type == DeviceType.CUDA);
            bool reduce = collectives is not SingleProcessCollectives;
            var print = world.IsLeader ? (Action<string>)Console.WriteLine : _ => { };
            print($"ranks {world.Size} ({collectives.GetType().Name}), ZeRO stage {parse.GetValue(zero)}");
            print($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; preset {parse.GetValue(common.Preset)} ({config.ParameterCount() / 1e6:F1} M parameters, random weights), {placement}, torch threads {torch.get_num_threads()}");
            print($"batch {b} in micro-batches of {m}, prompt {p} + response {n} tokens; gradient checkpointing {(parse.GetValue(checkpointing) ? "on" : "off")}");

            using var model = new CausalLanguageModel(config, placement);
            model.InitializeRandom(0);
            model.GradientCheckpointing = parse.GetValue(checkpointing);
            model.train();
            using var adam = new MasterWeightAdam(model.named_parameters(), 1e-6, collectives: collectives, zeroStage: parse.GetValue(zero));
            var random = new Random(0);
            var problem = new Problem("0", "", "", "bench", DatasetSplit.Train);
            var items = Enumerable.Range(0, b).Select(i => new ScoredResponse(problem,
                Enumerable.Range(0, p).Select(_ => random.Next(config.VocabSize)).ToArray(),
                Enumerable.Range(0, n).Select(_ => random.Next(config.VocabSize)).ToArray(), "", false, 0, 0)).ToArray();
            var itemAdvantages = Enumerable.Range(0, b).Select(i => i % 2 == 0 ? 1f : -1f).ToArray();
            var options = new PolicyLossOptions();

            double Step()
            {
                var clock = Stopwatch.StartNew();
                for (int start = 0; start < b; start += m)
                {
                    using var scope = NewDisposeScope();
                    var chunk = items.Skip(start).Take(m).ToArray();
                    using var seqs = new SequenceBatch(chunk, 0, placement.Device);
                    var (logp, _) = seqs.Score(model, withEntropy: false);
                    var advantages = torch.tensor(itemAdvantages.Skip(start).Take(m).ToArray(), device: placement.Device);
                    var loss = GrpoMath.PolicyLoss(logp, logp.detach(), advantages, seqs.ResponseMask, options) / ((b + m - 1) / m);
                    adam.AccumulateGradients(); // as the trainer: fp32 sums when a step spans micro-batches
                    loss.backward();
                }
                collectives.Counters.Reset();
                if (reduce) adam.ReduceGradients(collectives);
                adam.Apply();
                if (placement.Device.type == DeviceType.CUDA) torch.cuda.synchronize(placement.Device);
                return clock.Elapsed.TotalSeconds;
            }

            Step(); // warm-up
            double best = double.MaxValue;
            for (int r = 0; r < parse.GetValue(common.Repeats); r++)
            {
                var seconds = Step();
                var c = collectives.Counters;
                print($"step {r + 1}: {seconds:F3}s ({b * (p + n) / seconds:F0} tok/s per rank)"
                    + (reduce ? $"; collectives {c.Seconds:F3}s for {c.Bytes / 1e6:F1} MB per rank ({c.Bytes / 1e9 / Math.Max(c.Seconds, 1e-9):F2} GB/s)" : ""));
                best = Math.Min(best, seconds);
            }
            var tokS = b * (p + n) / best;
            print($"best: {best:F3}s per optimizer step, {tokS:F0} tok/s per rank, {tokS * world.Size:F0} tok/s over {world.Size} rank(s)");
            if (parse.GetValue(common.Json))
                print(JsonSerializer.Serialize(new { preset = parse.GetValue(common.Preset), device = placement.ToString(), batch = b, micro_batch = m, prompt = p, @new = n, train_tok_s = Math.Round(tokS, 1) }));
            return 0;
        });
        return command;
    }
}
