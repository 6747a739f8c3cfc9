using Rlvr.Core.IO;
using System.CommandLine;
using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Core.Evaluation;
using Rlvr.Core.Hub;
using Rlvr.Core.Templates;
using Rlvr.Torch.Evaluation;
using Rlvr.Torch.Models;

namespace Rlvr.Cli.Commands;

/// <summary>
/// The sampling half of `rlvr label --model DIR`: the options of upstream's majority_voting_labeling.py
/// (64 samples per raw prompt at temperature 1.0, top-p 1.0, 3,072 new tokens) and the run that writes them
/// with <see cref="VoteSampler"/> into the samples file the labeling half then reads. The settings are kept
/// beside the samples file so that resuming with different settings fails instead of mixing two runs' samples.
/// </summary>
internal sealed class LabelSampling
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public Option<string?> Model { get; } = new("--model") { Description = "Sample the responses with this Hugging Face model, a folder or a cached Hub id org/name[@revision] (instead of --samples)." };
    private readonly Option<bool> _download = ModelArgument.CreateDownloadOption();
    private readonly Option<int> _votes = new("--votes") { Description = "Samples per problem (upstream --num_rollout).", DefaultValueFactory = _ => 64 };
    private readonly Option<string> _template = new("--template") { Description = "Prompt template; upstream sampled the raw problem text, no chat template.", DefaultValueFactory = _ => "raw" };
    private readonly Option<double> _temperature = new("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<double> _topP = new("--top-p") { Description = "Nucleus sampling.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<int> _maxNew = new("--max-new-tokens") { Description = "New tokens per sample.", DefaultValueFactory = _ => 3072 };
    private readonly Option<long> _seed = new("--seed") { Description = "Seed of all sampling.", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _batch = new("--batch-size") { Description = "Sequences per generation call (at least one problem's votes).", DefaultValueFactory = _ => 64 };
    private readonly Option<string> _device = new("--device") { Description = "cpu or cuda[:N].", DefaultValueFactory = _ => "cpu" };
    private readonly Option<string?> _dtype = new("--dtype") { Description = "float32, bfloat16 or float16 (default: float32 on CPU, bfloat16 on CUDA)." };
    private readonly Option<int> _threads = new("--threads") { Description = "CPU threads for libtorch (0 = its default).", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> _randomWeights = new("--random-weights") { Description = "Benchmarking: random weights of this preset shape; --model then only supplies the tokenizer." };

    /// <summary>What decides the samples' distribution; a resumed run must match it.</summary>
    private sealed record Recipe(string Model, string? RandomWeights, string Template, int Votes, double Temperature, double TopP, int MaxNewTokens, long Seed);

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, _download, _votes, _template, _temperature, _topP, _maxNew, _seed, _batch, _device, _dtype, _threads, _randomWeights })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The folder of the parsed --model (a Hub id is looked up in the cache, or fetched with --download).</summary>
    public LocatedModel Locate(ParseResult parse) => ModelArgument.Locate(parse.GetValue(Model)!, parse.GetValue(_download));

    /// <summary>Writes (or completes) <paramref name="samplesPath"/> with the parsed settings: k {id, response} lines per problem.</summary>
    /// <remarks>Under mpirun the batches are split across <paramref name="peers"/>; rank 0 prints and writes.</remarks>
    public void Run(ParseResult parse, string modelDir, IReadOnlyList<Problem> problems, string samplesPath, CancellationToken cancel, Rlvr.Torch.Distributed.World world,
        IWorkPeers peers)
    {
        var template = PromptTemplates.Create(parse.GetValue(_template)!);
        var settings = new VoteSamplingSettings(parse.GetValue(_votes), parse.GetValue(_temperature), parse.GetValue(_topP),
            parse.GetValue(_maxNew), parse.GetValue(_seed), parse.GetValue(_batch), template);
        if (settings.Votes < 1) throw new DatasetException($"--votes {settings.Votes}: expected 1 or more");
        if (settings.MaxNewTokens < 1) throw new DatasetException($"--max-new-tokens {settings.MaxNewTokens}: expected 1 or more");
        if (settings.Temperature < 0) throw new DatasetException($"--temperature {settings.Temperature}: expected 0 or more");
        if (settings.TopP is <= 0 or > 1) throw new DatasetException($"--top-p {settings.TopP}: expected a value in (0, 1]");
        var recipe = new Recipe(Path.GetFullPath(modelDir), parse.GetValue(_randomWeights), template.Name, settings.Votes,
            settings.Temperature, settings.TopP, settings.MaxNewTokens, settings.Seed);
        var recipePath = samplesPath + ".settings.json";
        CheckResumable(recipe, samplesPath, recipePath);

        if (parse.GetValue(_threads) > 0) TorchSharp.torch.set_num_threads(parse.GetValue(_threads));
        var deviceName = parse.GetValue(_device)!;
        if (world.Size > 1 && deviceName == "cuda") deviceName = $"cuda:{world.LocalRank}"; // one GPU per rank
        var placement = Placement.Parse(deviceName, parse.GetValue(_dtype));
        var print = world.IsLeader ? (Action<string>)Console.WriteLine : _ => { };
        print($"sampling {settings.Votes} responses per problem with {modelDir} on {placement}: template {template.Name}, " +
            $"temperature {settings.Temperature}, top-p {settings.TopP}, max new tokens {settings.MaxNewTokens}, seed {settings.Seed} -> {samplesPath}");
        using var model = EvalModel.Load(modelDir, placement, recipe.RandomWeights, settings.Seed);
        if (world.IsLeader) AtomicFile.WriteAllText(recipePath, JsonSerializer.Serialize(recipe, Indented) + "\n");
        var sampled = VoteSampler.Write(problems, model.Generator(), settings, samplesPath,
            (done, total) => print($"  {done}/{total} problems sampled"), cancel, peers);
        print($"sampled {sampled} problems, {problems.Count - sampled} already in {samplesPath}");
    }

    /// <summary>Fails when an existing samples file was made with another recipe (one without a recipe file is trusted).</summary>
    private static void CheckResumable(Recipe recipe, string samplesPath, string recipePath)
    {
        if (File.Exists(samplesPath) && File.Exists(recipePath))
        {
            Recipe? previous;
            try
            {
                previous = JsonSerializer.Deserialize<Recipe>(File.ReadAllText(recipePath));
            }
            catch (JsonException e)
            {
                throw new DatasetException($"{recipePath}: not the settings of a samples file ({e.Message})");
            }
            if (previous != recipe)
            {
                throw new DatasetException($"{samplesPath} was sampled with {previous} ({recipePath}), not {recipe}: " +
                    "rerun with those settings to resume, or choose another --out or --name");
            }
        }
    }
}
