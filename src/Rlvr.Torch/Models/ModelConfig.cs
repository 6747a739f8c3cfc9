using System.Text.Json.Nodes;
using TorchSharp;

namespace Rlvr.Torch.Models;

/// <summary>
/// Llama-3 style rotary scaling ("rope_type": "llama3"): long wavelengths are divided by
/// <see cref="Factor"/>, short ones kept, the band between blended smoothly.
/// </summary>
public sealed record Llama3RopeScaling(
    double Factor,
    double LowFreqFactor,
    double HighFreqFactor,
    int OriginalMaxPositionEmbeddings);

/// <summary>
/// The shape and numerics of a decoder-only model, mapped from a Hugging Face config.json
/// (<see cref="ModelConfigReader"/>). One record for the three architectures.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Which block layout to build.</summary>
    public required ModelArchitecture Architecture { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    /// <summary>Per-head width; hidden_size / heads unless config.json says otherwise (head_dim).</summary>
    public required int HeadDim { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    /// <summary>Null for the default rotary embedding.</summary>
    public Llama3RopeScaling? RopeScaling { get; init; }
    /// <summary>Whether the output head reuses the token embedding matrix (no lm_head tensor).</summary>
    public bool TieWordEmbeddings { get; init; }
    /// <summary>Biases on q/k/v projections (Qwen2 always; Llama/OLMo-2 when attention_bias is set).</summary>
    public bool AttentionBias { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 4096;
    /// <summary>The dtype the checkpoint was saved in (config "dtype" / "torch_dtype").</summary>
    public torch.ScalarType CheckpointDType { get; init; } = torch.ScalarType.Float32;
    public int? BosTokenId { get; init; }
    public int? PadTokenId { get; init; }
    /// <summary>End-of-sequence ids from config.json (generation_config.json may add more).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>
    /// The config.json this was read from, kept so that saving writes back every field (also the
    /// ones this project does not interpret). Null for configs built in code.
    /// </summary>
    public JsonObject? SourceJson { get; init; }

    /// <summary>Query heads per key/value head (grouped-query attention).</summary>
    public int QueryGroups => NumAttentionHeads / NumKeyValueHeads;

    /// <summary>Total parameter count implied by the shape.</summary>
    public long ParameterCount()
    {
        long h = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
        var attention = h * q + 2 * h * kv + q * h + (AttentionBias ? q + 2 * kv : 0)
            + (Architecture == ModelArchitecture.Olmo2 ? q + kv : 0);
        var mlp = 3 * h * IntermediateSize;
        var layer = attention + mlp + 2 * h;
        var embeddings = (long)VocabSize * h * (TieWordEmbeddings ? 1 : 2);
        return NumHiddenLayers * layer + embeddings + h;
    }
}
