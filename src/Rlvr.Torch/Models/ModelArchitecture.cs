namespace Rlvr.Torch.Models;

/// <summary>The decoder-only architectures this project implements, named after their Hugging Face classes.</summary>
public enum ModelArchitecture
{
    /// <summary>Qwen2ForCausalLM (Qwen2, Qwen2.5, Qwen2.5-Math): biases on q/k/v, pre-norm.</summary>
    Qwen2,

    /// <summary>LlamaForCausalLM (Llama 3.x): pre-norm, no biases, llama3 rope scaling.</summary>
    Llama,

    /// <summary>Olmo2ForCausalLM: norms after attention and MLP, q/k RMSNorm over the whole projection.</summary>
    Olmo2,
}

/// <summary>Maps Hugging Face `architectures` names to <see cref="ModelArchitecture"/>.</summary>
public static class ModelArchitectures
{
    private static readonly Dictionary<string, ModelArchitecture> ByHfName = new(StringComparer.Ordinal)
    {
        ["Qwen2ForCausalLM"] = ModelArchitecture.Qwen2,
        ["LlamaForCausalLM"] = ModelArchitecture.Llama,
        ["Olmo2ForCausalLM"] = ModelArchitecture.Olmo2,
    };

    /// <summary>The Hugging Face class names that load.</summary>
    public static IReadOnlyCollection<string> SupportedNames => ByHfName.Keys;

    /// <summary>The Hugging Face class name written to config.json.</summary>
    public static string HfName(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.Qwen2 => "Qwen2ForCausalLM",
        ModelArchitecture.Llama => "LlamaForCausalLM",
        ModelArchitecture.Olmo2 => "Olmo2ForCausalLM",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture)),
    };

    /// <summary>The model_type written to config.json.</summary>
    public static string ModelType(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.Qwen2 => "qwen2",
        ModelArchitecture.Llama => "llama",
        ModelArchitecture.Olmo2 => "olmo2",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture)),
    };

    /// <summary>Parses a Hugging Face class name; an unknown one fails naming it and the supported ones.</summary>
    public static ModelArchitecture Parse(string hfName, string source)
    {
        if (ByHfName.TryGetValue(hfName, out var architecture)) return architecture;
        throw new NotSupportedException(
            $"{source}: architecture '{hfName}' is not supported; supported: {string.Join(", ", SupportedNames)}.");
    }
}
