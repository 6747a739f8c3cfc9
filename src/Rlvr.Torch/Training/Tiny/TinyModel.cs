using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training.Configuration;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training.Tiny;

/// <summary>Builds the tiny Qwen2-architecture model of tiny-cpu: random weights from the run seed.</summary>
public static class TinyModel
{
    /// <summary>The HF-style shape for <paramref name="tiny"/> over the tiny tokenizer's vocabulary.</summary>
    public static ModelConfig Shape(TinyModelConfig tiny) => new()
    {
        Architecture = ModelArchitecture.Qwen2,
        VocabSize = TinyTokenizer.VocabSize,
        HiddenSize = tiny.HiddenSize,
        IntermediateSize = tiny.IntermediateSize,
        NumHiddenLayers = tiny.Layers,
        NumAttentionHeads = tiny.Heads,
        NumKeyValueHeads = tiny.KvHeads,
        HeadDim = tiny.HiddenSize / tiny.Heads,
        RmsNormEps = 1e-6,
        RopeTheta = 10000,
        TieWordEmbeddings = true,
        AttentionBias = true,  // Qwen2 has q/k/v biases
        MaxPositionEmbeddings = 512,
        CheckpointDType = ScalarType.Float32,
        EosTokenIds = [TinyTokenizer.EndOfTextId],
        PadTokenId = TinyTokenizer.EndOfTextId,
    };

    /// <summary>A randomly initialised model (N(0, 0.02) matrices, unit norms) on <paramref name="placement"/>.</summary>
    public static CausalLanguageModel Create(TinyModelConfig tiny, Placement placement, long seed)
    {
        var model = new CausalLanguageModel(Shape(tiny), placement);
        model.InitializeRandom(seed);
        return model;
    }

    /// <summary>
    /// Writes the model and the tiny tokenizer as an HF folder, with a generation_config.json (end of text ends and
    /// pads a generation) and <paramref name="chatTemplate"/>, the prompt format it is trained on, in tokenizer_config.json.
    /// </summary>
    public static void Save(CausalLanguageModel model, string directory, string? chatTemplate = null)
    {
        var tokenizerDir = directory + ".tokenizer";
        TinyTokenizer.Write(tokenizerDir, chatTemplate);
        var generation = new System.Text.Json.Nodes.JsonObject { ["eos_token_id"] = TinyTokenizer.EndOfTextId, ["pad_token_id"] = TinyTokenizer.EndOfTextId };
        Rlvr.Core.IO.AtomicFile.WriteAllText(Path.Combine(tokenizerDir, "generation_config.json"), generation.ToJsonString());
        try { CheckpointSaver.Save(model, directory, copyFrom: tokenizerDir, dtype: ScalarType.Float32); }
        finally { Directory.Delete(tokenizerDir, recursive: true); }
    }
}
