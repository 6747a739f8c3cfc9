namespace Rlvr.Torch.Models;

/// <summary>
/// Model shapes for benchmarks with random weights (no download): the public checkpoints' configs, and
/// small shapes that run on a CPU.
/// </summary>
public static class ModelPresets
{
    private static ModelConfig Qwen2(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads,
        double theta, bool tied) => new()
    {
        Architecture = ModelArchitecture.Qwen2,
        VocabSize = vocab,
        HiddenSize = hidden,
        IntermediateSize = intermediate,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = hidden / heads,
        RopeTheta = theta,
        TieWordEmbeddings = tied,
        AttentionBias = true,
        MaxPositionEmbeddings = 4096,
        EosTokenIds = [],
    };

    /// <summary>The presets by name.</summary>
    public static readonly IReadOnlyDictionary<string, ModelConfig> All = new Dictionary<string, ModelConfig>(StringComparer.Ordinal)
    {
        // Shapes of the released Hugging Face configs (as in ../shared/device/hf_baseline.py).
        ["qwen2.5-math-1.5b"] = Qwen2(151936, 1536, 8960, 28, 12, 2, 10000.0, tied: true),
        ["qwen2.5-math-7b"] = Qwen2(152064, 3584, 18944, 28, 28, 4, 10000.0, tied: false),
        ["qwen2.5-0.5b"] = Qwen2(151936, 896, 4864, 24, 14, 2, 1000000.0, tied: true),
        // CPU shapes: ~5 M and ~30 M parameters, Qwen2 layout with grouped-query attention.
        ["cpu-tiny"] = Qwen2(4096, 256, 704, 4, 8, 2, 10000.0, tied: true),
        ["cpu-small"] = Qwen2(16384, 512, 1408, 8, 8, 2, 10000.0, tied: true),
        // Qwen2.5-Math-1.5B's structure (28 layers, 12 query / 2 KV heads) at tiny widths: its decode step
        // costs almost nothing but the per-op dispatch, the CPU-side cost that bounds GPU decoding.
        ["dispatch-1.5b"] = Qwen2(256, 48, 64, 28, 12, 2, 10000.0, tied: true),
    };

    /// <summary>The preset named <paramref name="name"/>; an unknown name fails listing the known ones.</summary>
    public static ModelConfig Get(string name) =>
        All.TryGetValue(name, out var config) ? config
            : throw new ArgumentException($"--preset: unknown preset '{name}'; expected one of {string.Join(", ", All.Keys)}.");
}
