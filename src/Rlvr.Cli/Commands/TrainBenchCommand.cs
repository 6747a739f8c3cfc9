using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Rlvr.Core.Data;
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
        var command = new Command("train", "Time GRPO optimizer steps on a random-weight preset model.");
        common.AddTo(command, batch, micro, promptLength, responseLength, checkpointing);
        command.SetAction(parse =>
        {
            if (!common.TryResolve(parse, "train", out var config, out var placement, batch, micro, promptLength, responseLength)) return 2;
            var (b, m, p, n) = (parse.GetValue(batch), parse.GetValue(micro), parse.GetValue(promptLength), parse.GetValue(responseLength));
            Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; preset {parse.GetValue(common.Preset)} ({config.ParameterCount() / 1e6:F1} M parameters, random weights), {placement}, torch threads {torch.get_num_threads()}");
            Console.WriteLine($"batch {b} in micro-batches of {m}, prompt {p} + response {n} tokens; gradient checkpointing {(parse.GetValue(checkpointing) ? "on" : "off")}");

            using var model = new CausalLanguageModel(config, placement);
            model.InitializeRandom(0);
            model.GradientCheckpointing = parse.GetValue(checkpointing);
            model.train();
            using var adam = new MasterWeightAdam(model.named_parameters(), 1e-6);
            var random = new Random(0);
            var problem = new Problem("0", "", "", "bench", DatasetSplit.Train);
            var items = Enumerable.Range(0, b).Select(i => new ScoredResponse(problem,
                Enumerable.Range(0, p).Select(_ => random.Next(config.VocabSize)).ToArray(),
                Enumerable.Range(0, n).Select(_ => random.Next(config.VocabSize)).ToArray(), "", false, 0, 0)
            { Advantage = i % 2 == 0 ? 1f : -1f }).ToArray();
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
                    var advantages = torch.tensor(chunk.Select(c => c.Advantage).ToArray(), device: placement.Device);
                    var loss = GrpoMath.PolicyLoss(logp, logp.detach(), advantages, seqs.ResponseMask, options) / ((b + m - 1) / m);
                    adam.AccumulateGradients(); // as the trainer: fp32 sums when a step spans micro-batches
                    loss.backward();
                }
                adam.Apply();
                if (placement.Device.type == DeviceType.CUDA) torch.cuda.synchronize(placement.Device);
                return clock.Elapsed.TotalSeconds;
            }

            Step(); // warm-up
            double best = double.MaxValue;
            for (int r = 0; r < parse.GetValue(common.Repeats); r++)
            {
                var seconds = Step();
                Console.WriteLine($"step {r + 1}: {seconds:F3}s ({b * (p + n) / seconds:F0} tok/s)");
                best = Math.Min(best, seconds);
            }
            var tokS = b * (p + n) / best;
            Console.WriteLine($"best: {best:F3}s per optimizer step, {tokS:F0} tok/s");
            if (parse.GetValue(common.Json))
                Console.WriteLine(JsonSerializer.Serialize(new { preset = parse.GetValue(common.Preset), device = placement.ToString(), batch = b, micro_batch = m, prompt = p, @new = n, train_tok_s = Math.Round(tokS, 1) }));
            return 0;
        });
        return command;
    }
}
