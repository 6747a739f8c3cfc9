using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using Rlvr.Torch.Tokenization;

namespace Rlvr.Torch.Evaluation;

/// <summary>A model folder opened for evaluation: weights, tokenizer and stop/pad ids.</summary>
public sealed class EvalModel : IDisposable
{
    private EvalModel(CausalLanguageModel model, HfTokenizer tokenizer, IReadOnlyList<int> eos, int pad)
    {
        Model = model;
        Tokenizer = tokenizer;
        EosTokenIds = eos;
        PadTokenId = pad;
    }

    public CausalLanguageModel Model { get; }
    public HfTokenizer Tokenizer { get; }

    /// <summary>config.json, generation_config.json and tokenizer_config.json's EOS ids together.</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>Fills left padding (masked; upstream: pad = eos when the tokenizer has none).</summary>
    public int PadTokenId { get; }

    /// <summary>Loads <paramref name="directory"/>: errors name the missing file. With <paramref name="randomPreset"/>
    /// (a <see cref="ModelPresets"/> name) the weights are random of that shape instead and only the folder's
    /// tokenizer is used: timing a benchmark at a real model's shape without its download.</summary>
    public static EvalModel Load(string directory, Placement placement, string? randomPreset = null, long seed = 0)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"--model {directory}: no such folder");
        var tokenizer = HfTokenizer.Load(directory);
        var (eos, pad) = SpecialTokens.Resolve(directory, tokenizer);
        CausalLanguageModel model;
        if (randomPreset is null)
        {
            model = CheckpointLoader.Load(directory, placement);
            tokenizer.CheckFits(model.Config, directory);
        }
        else
        {
            var config = ModelPresets.Get(randomPreset);
            if (tokenizer.VocabSize > config.VocabSize)
                throw new ArgumentException($"--random-weights {randomPreset}: vocab {config.VocabSize} is smaller than the tokenizer's {tokenizer.VocabSize}");
            model = new CausalLanguageModel(config, placement);
            model.InitializeRandom(seed);
        }
        return new EvalModel(model, tokenizer, eos, pad);
    }

    /// <summary>The generator evaluation drives.</summary>
    public ModelTextGenerator Generator() => new(Model, Tokenizer, EosTokenIds, PadTokenId);

    public void Dispose() => Model.Dispose();
}
