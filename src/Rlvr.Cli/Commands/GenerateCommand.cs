using System.CommandLine;
using System.Text.Json;
using Rlvr.Core.Templates;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Generation;
using Rlvr.Torch.Models;
using Rlvr.Torch.Tokenization;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr generate`: loads a Hugging Face model folder and generates from one prompt, given as text
/// (tokenized with the folder's tokenizer.json, optionally wrapped in a --template) or as token ids.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = ModelArgument.Description + ".", Required = true };
        var download = ModelArgument.CreateDownloadOption();
        var prompt = new Option<string?>("--prompt") { Description = "Prompt text (tokenized with the model's tokenizer)." };
        var promptIds = new Option<string?>("--prompt-ids") { Description = "Prompt as comma-separated token ids, e.g. 5,17,42." };
        var template = new Option<string?>("--template") { Description = $"Wrap --prompt in a template: {string.Join(", ", PromptTemplates.Names)}, 'auto' (from the model's chat template) or a file with {{problem}}." };
        var samples = new Option<int>("--n") { Description = "Completions to sample.", DefaultValueFactory = _ => 1 };
        var greedy = new Option<bool>("--greedy") { Description = "Argmax decoding (ignores temperature/top-p/top-k)." };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass (1 = off).", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0 = off).", DefaultValueFactory = _ => 0 };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Maximum new tokens per completion.", DefaultValueFactory = _ => 256 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N].", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16 or float16 (default: float32 on cpu, bfloat16 on cuda)." };
        var stop = new Option<string[]>("--stop") { Description = "Extra stop strings (repeatable).", AllowMultipleArgumentsPerToken = false };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Do not stop at the model's end-of-sequence tokens." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0 = its default).", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the completions as JSON." };

        var command = new Command("generate", "Generate from a Hugging Face model (a folder or a cached Hub id).");
        foreach (var option in new Option[] { model, download, prompt, promptIds, template, samples, greedy, temperature, topP, topK, maxNew, seed, device, dtype, stop, ignoreEos, threads, json })
            command.Options.Add(option);

        command.SetAction(parse =>
        {
            try
            {
                // Checked before the model loads (which can take minutes), with the flags' own names.
                RequireAtLeast("--n", parse.GetValue(samples), 1);
                RequireAtLeast("--max-new-tokens", parse.GetValue(maxNew), 1);
                RequireAtLeast("--top-k", parse.GetValue(topK), 0);
                RequireAtLeast("--threads", parse.GetValue(threads), 0);
                if (parse.GetValue(temperature) is var heat and < 0)
                    throw new ArgumentException($"--temperature: expected 0 (greedy) or more, got {heat}.");
                if (parse.GetValue(topP) is var mass and (<= 0 or > 1))
                    throw new ArgumentException($"--top-p: expected a number in (0, 1], got {mass}.");
                var folder = ModelArgument.Locate(parse.GetValue(model)!, parse.GetValue(download)).Folder;
                var text = parse.GetValue(prompt);
                var ids = parse.GetValue(promptIds);
                if ((text is null) == (ids is null)) throw new ArgumentException("give exactly one of --prompt and --prompt-ids.");
                if (parse.GetValue(threads) > 0) TorchSharp.torch.set_num_threads(parse.GetValue(threads));

                HfTokenizer? tokenizer = null;
                var stopStrings = new List<string>(parse.GetValue(stop) ?? []);
                int[] promptTokens;
                if (text is not null)
                {
                    tokenizer = HfTokenizer.Load(folder);
                    var templateName = parse.GetValue(template);
                    if (templateName is not null)
                    {
                        var chosen = templateName == "auto" ? ChatTemplateDetector.FromModelFolder(folder) : PromptTemplates.Create(templateName);
                        text = chosen.Render(text);
                        stopStrings.AddRange(chosen.StopStrings);
                    }
                    promptTokens = tokenizer.Encode(text);
                }
                else
                {
                    promptTokens = ParseIds(ids!);
                    if (File.Exists(Path.Combine(folder, "tokenizer.json"))) tokenizer = HfTokenizer.Load(folder);
                }
                if (stopStrings.Count > 0 && tokenizer is null)
                    throw new ArgumentException("--stop needs the model's tokenizer.json to decode completions.");

                var placement = Placement.Parse(parse.GetValue(device)!, parse.GetValue(dtype));
                using var lm = CheckpointLoader.Load(folder, placement);
                CheckFitsModel(lm.Config, folder, tokenizer, promptTokens, parse.GetValue(maxNew));
                var defaults = GenerationDefaults.Read(folder);
                var eos = parse.GetValue(ignoreEos) ? [] : defaults.EosTokenIds.Concat(tokenizer?.EosTokenId is int e ? [e] : []).Distinct().ToArray();
                var options = new GenerationOptions
                {
                    MaxNewTokens = parse.GetValue(maxNew),
                    SamplesPerPrompt = parse.GetValue(samples),
                    Sampling = new SamplingOptions
                    {
                        Greedy = parse.GetValue(greedy),
                        Temperature = parse.GetValue(temperature),
                        TopP = parse.GetValue(topP),
                        TopK = parse.GetValue(topK),
                    },
                    Seed = parse.GetValue(seed),
                    EosTokenIds = eos,
                    StopStrings = stopStrings,
                    Decode = tokenizer is null ? null : t => tokenizer.Decode(t.ToArray()),
                    PadTokenId = defaults.PadTokenId ?? 0,
                };
                var engine = new RolloutEngine(lm);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var nextReport = ProgressEvery;
                engine.StepCompleted += step =>
                {
                    // Long work says how far it is, on stderr (stdout stays the completions).
                    if (clock.Elapsed < nextReport) return;
                    nextReport = clock.Elapsed + ProgressEvery;
                    Console.Error.WriteLine($"generate: {step + 1} of at most {options.MaxNewTokens} new tokens, {clock.Elapsed.TotalSeconds:F0} s");
                };
                var result = engine.Generate([promptTokens], options);
                Print(result, tokenizer, parse.GetValue(json));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException
                                          or KeyNotFoundException or TemplateException or JsonException or FormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    /// <summary>What the model's config.json bounds, checked before generating: the tokenizer's and the prompt's
    /// ids within its vocabulary, prompt plus new tokens within max_position_embeddings (past it the rotary
    /// positions were never trained and the output is silently garbage).</summary>
    private static void CheckFitsModel(ModelConfig model, string folder, HfTokenizer? tokenizer, int[] prompt, int maxNew)
    {
        tokenizer?.CheckFits(model, folder);
        if (prompt.FirstOrDefault(id => id >= model.VocabSize, -1) is var id and >= 0)
            throw new ArgumentException($"--prompt-ids: token id {id} is past the model's vocab_size {model.VocabSize} ({Path.Combine(folder, "config.json")})");
        if ((long)prompt.Length + maxNew > model.MaxPositionEmbeddings)
            throw new ArgumentException($"--max-new-tokens {maxNew}: the prompt's {prompt.Length} tokens plus {maxNew} new ones exceed the model's " +
                $"max_position_embeddings {model.MaxPositionEmbeddings} ({Path.Combine(folder, "config.json")})");
    }

    private static void RequireAtLeast(string option, int value, int minimum)
    {
        if (value < minimum) throw new ArgumentException($"{option}: expected {minimum} or more, got {value}.");
    }

    private static int[] ParseIds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException("--prompt-ids: no ids given.");
        return parts.Select(p => int.TryParse(p, out var id) && id >= 0 ? id
            : throw new ArgumentException($"--prompt-ids: '{p}' is not a token id (expected non-negative integers separated by commas).")).ToArray();
    }

    private static void Print(GenerationResult result, HfTokenizer? tokenizer, bool asJson)
    {
        if (asJson)
        {
            var rows = result.Completions.Select(c => new Dictionary<string, object?>
            {
                ["sample"] = c.SampleIndex,
                ["tokens"] = c.Tokens,
                ["logprobs"] = c.LogProbs.Select(l => Math.Round(l, 6)).ToArray(),
                ["finish_reason"] = c.FinishReason.ToString().ToLowerInvariant(),
                ["text"] = tokenizer?.Decode(c.Tokens),
            });
            Console.WriteLine(JsonSerializer.Serialize(rows));
            return;
        }
        foreach (var c in result.Completions)
        {
            Console.WriteLine($"--- sample {c.SampleIndex} ({c.Tokens.Length} tokens, {c.FinishReason.ToString().ToLowerInvariant()}, mean log-prob {(c.LogProbs.Length == 0 ? 0 : c.LogProbs.Average()):F3})");
            Console.WriteLine(tokenizer is null ? string.Join(",", c.Tokens) : tokenizer.Decode(c.Tokens));
        }
        Console.WriteLine($"prefill {result.Stats.PromptTokens} tokens in {result.Stats.Prefill.TotalSeconds:F2}s; decode {result.Stats.GeneratedTokens} tokens in {result.Stats.Decode.TotalSeconds:F2}s ({result.Stats.DecodeTokensPerSecond:F1} tok/s)");
    }
}
