using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Rlvr.Torch.Generation;
using Rlvr.Torch.Models;
using TorchSharp;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr bench generate`: rollout throughput of a random-weight model of a preset shape (no download):
/// a batch of random prompts, a fixed number of new tokens (no EOS stop), prefill and decode timed
/// separately. The same settings as ../shared/device/hf_baseline.py for a fair comparison on the GPU.
/// </summary>
public static class BenchGenerateCommand
{
    public static Command Create()
    {
        var common = new BenchModelOptions(defaultRepeats: 2);
        var batch = new Option<int>("--batch") { Description = "Prompts in the batch.", DefaultValueFactory = _ => 8 };
        var promptLength = new Option<int>("--prompt") { Description = "Tokens per prompt.", DefaultValueFactory = _ => 64 };
        var newTokens = new Option<int>("--new") { Description = "New tokens per prompt (generation never stops early).", DefaultValueFactory = _ => 64 };
        var greedy = new Option<bool>("--greedy") { Description = "Greedy instead of sampling at temperature 1." };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass (1 = off, as in hf_baseline.py).", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "Seed of the weights, prompts and sampling.", DefaultValueFactory = _ => 0 };
        var command = new Command("generate", "Generation throughput (prefill and decode) of a random-weight preset model.");
        common.AddTo(command, batch, promptLength, newTokens, greedy, topP, seed);

        command.SetAction(parse =>
        {
            if (!common.TryResolve(parse, "generate", out var config, out var placement, batch, promptLength, newTokens)) return 2;
            if (parse.GetValue(topP) is var mass and (<= 0 or > 1))
            {
                Console.Error.WriteLine($"rlvr bench generate: --top-p: expected a number in (0, 1], got {mass}.");
                return 2;
            }

            var name = parse.GetValue(common.Preset)!;
            var (b, p, n) = (parse.GetValue(batch), parse.GetValue(promptLength), parse.GetValue(newTokens));
            Console.WriteLine($"machine: {Machine(placement)}");
            Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; preset {name} ({config.ParameterCount() / 1e6:F1} M parameters, random weights), {placement}, torch threads {torch.get_num_threads()}");
            Console.WriteLine($"batch {b}, prompt {p}, new {n}, {(parse.GetValue(greedy) ? "greedy" : $"sampling T=1 top-p {parse.GetValue(topP)}")}");

            var load = Stopwatch.StartNew();
            using var model = new CausalLanguageModel(config, placement);
            model.InitializeRandom(parse.GetValue(seed));
            model.eval();
            Console.WriteLine($"model built in {load.Elapsed.TotalSeconds:F1}s");

            var random = new Random((int)parse.GetValue(seed));
            var prompts = Enumerable.Range(0, b).Select(_ => Enumerable.Range(0, p).Select(_ => random.Next(config.VocabSize)).ToArray()).ToList();
            var options = new GenerationOptions
            {
                MaxNewTokens = n,
                Sampling = new SamplingOptions { Greedy = parse.GetValue(greedy), TopP = parse.GetValue(topP) },
                Seed = parse.GetValue(seed),
                CompactBelowActiveFraction = 0, // every row runs to the end
            };
            var engine = new RolloutEngine(model);
            engine.Generate(prompts, options with { MaxNewTokens = Math.Min(4, n) }); // warm-up
            GenerationStats? best = null;
            for (var r = 0; r < parse.GetValue(common.Repeats); r++)
            {
                var stats = engine.Generate(prompts, options).Stats;
                Console.WriteLine($"run {r + 1}: {Describe(stats)}");
                if (best is null || stats.Prefill + stats.Decode < best.Prefill + best.Decode) best = stats;
            }
            var total = best!.GeneratedTokens / (best.Prefill + best.Decode).TotalSeconds;
            Console.WriteLine($"best: {Describe(best)}; end-to-end {total:F1} new tok/s");
            if (parse.GetValue(common.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    preset = name, device = placement.ToString(), batch = b, prompt = p, @new = n,
                    prefill_tok_s = Math.Round(best.PrefillTokensPerSecond, 1),
                    decode_tok_s = Math.Round(best.DecodeTokensPerSecond, 1),
                    generate_tok_s = Math.Round(total, 1),
                }));
            }
            return 0;
        });
        return command;
    }

    private static string Describe(GenerationStats s) =>
        $"prefill {s.PromptTokens} tok in {s.Prefill.TotalSeconds:F3}s ({s.PrefillTokensPerSecond:F0} tok/s), decode {s.GeneratedTokens} tok in {s.Decode.TotalSeconds:F3}s ({s.DecodeTokensPerSecond:F1} tok/s)";

    private static string Machine(Placement placement)
    {
        var cpu = BenchMachine.CpuModel();
        var gpu = placement.Device.type == DeviceType.CUDA ? "; CUDA device" : "";
        return $"{cpu}, {Environment.ProcessorCount} logical CPUs{gpu}, {RuntimeInformation.OSDescription}";
    }
}
