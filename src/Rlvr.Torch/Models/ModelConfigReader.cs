using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Rlvr.Torch.Models;

/// <summary>
/// Reads a Hugging Face config.json into a <see cref="ModelConfig"/>. Accepts both the transformers-4
/// form (top-level rope_theta / rope_scaling / torch_dtype, as the released Qwen2.5 and Llama 3.x
/// checkpoints carry) and the transformers-5 form (rope_parameters / dtype).
/// </summary>
public static class ModelConfigReader
{
    /// <summary>Reads and maps <paramref name="path"/>; errors name the file and the field.</summary>
    public static ModelConfig ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model config not found.", path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
        return Parse(json, path);
    }

    /// <summary>Maps a parsed config.json; <paramref name="source"/> names it in error messages.</summary>
    public static ModelConfig Parse(JsonObject json, string source)
    {
        var architectures = json["architectures"] as JsonArray;
        var hfName = architectures is { Count: > 0 } ? architectures[0]!.GetValue<string>()
            : throw new InvalidDataException($"{source}: 'architectures' is missing or empty.");
        var architecture = ModelArchitectures.Parse(hfName, source);

        var hidden = RequiredInt(json, "hidden_size", source);
        var heads = RequiredInt(json, "num_attention_heads", source);
        var attentionBias = OptionalBool(json, "attention_bias") ?? false;
        if (architecture != ModelArchitecture.Qwen2 && attentionBias)
            throw new NotSupportedException($"{source}: attention_bias=true is not supported for {hfName}.");
        if (OptionalBool(json, "mlp_bias") == true)
            throw new NotSupportedException($"{source}: mlp_bias=true is not supported.");
        if (OptionalBool(json, "use_sliding_window") == true)
            throw new NotSupportedException($"{source}: use_sliding_window=true is not supported.");
        var (ropeTheta, scaling) = ReadRope(json, source);

        return new ModelConfig
        {
            Architecture = architecture,
            VocabSize = RequiredInt(json, "vocab_size", source),
            HiddenSize = hidden,
            IntermediateSize = RequiredInt(json, "intermediate_size", source),
            NumHiddenLayers = RequiredInt(json, "num_hidden_layers", source),
            NumAttentionHeads = heads,
            NumKeyValueHeads = OptionalInt(json, "num_key_value_heads") ?? heads,
            HeadDim = OptionalInt(json, "head_dim") ?? hidden / heads,
            RmsNormEps = OptionalDouble(json, "rms_norm_eps") ?? 1e-6,
            RopeTheta = ropeTheta,
            RopeScaling = scaling,
            TieWordEmbeddings = OptionalBool(json, "tie_word_embeddings") ?? false,
            // Qwen2's attention always carries q/k/v biases (hard-wired in transformers).
            AttentionBias = architecture == ModelArchitecture.Qwen2,
            MaxPositionEmbeddings = OptionalInt(json, "max_position_embeddings") ?? 4096,
            CheckpointDType = ParseDType(OptionalString(json, "dtype") ?? OptionalString(json, "torch_dtype") ?? "float32", source),
            BosTokenId = OptionalInt(json, "bos_token_id"),
            PadTokenId = OptionalInt(json, "pad_token_id"),
            EosTokenIds = ReadTokenIds(json["eos_token_id"]),
            SourceJson = (JsonObject)json.DeepClone(),
        };
    }

    /// <summary>Reads eos ids written as an int or a list of ints (config.json, generation_config.json).</summary>
    public static IReadOnlyList<int> ReadTokenIds(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Where(n => n is not null).Select(n => n!.GetValue<int>()).ToArray(),
        JsonValue value => [value.GetValue<int>()],
        _ => [],
    };

    /// <summary>Maps a Hugging Face dtype name ("bfloat16", "float32", "float16") to a torch dtype.</summary>
    public static torch.ScalarType ParseDType(string name, string source) => name switch
    {
        "float32" or "float" => torch.ScalarType.Float32,
        "bfloat16" => torch.ScalarType.BFloat16,
        "float16" or "half" => torch.ScalarType.Float16,
        _ => throw new NotSupportedException($"{source}: dtype '{name}' is not supported; expected float32, bfloat16 or float16."),
    };

    /// <summary>The Hugging Face name of a floating dtype.</summary>
    public static string DTypeName(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.BFloat16 => "bfloat16",
        torch.ScalarType.Float16 => "float16",
        _ => throw new NotSupportedException($"dtype {dtype} has no Hugging Face name here."),
    };

    private static (double Theta, Llama3RopeScaling? Scaling) ReadRope(JsonObject json, string source)
    {
        // transformers 5: everything under rope_parameters. transformers 4: rope_theta at the top level,
        // scaling (if any) under rope_scaling, whose type key was "type" in older releases.
        var parameters = json["rope_parameters"] as JsonObject;
        var theta = (parameters is null ? null : OptionalDouble(parameters, "rope_theta"))
            ?? OptionalDouble(json, "rope_theta") ?? 10000.0;
        var scaling = json["rope_scaling"] as JsonObject ?? parameters;
        if (scaling is null) return (theta, null);
        var type = OptionalString(scaling, "rope_type") ?? OptionalString(scaling, "type") ?? "default";
        return type switch
        {
            "default" => (theta, null),
            "llama3" => (theta, new Llama3RopeScaling(
                RequiredDouble(scaling, "factor", source),
                RequiredDouble(scaling, "low_freq_factor", source),
                RequiredDouble(scaling, "high_freq_factor", source),
                RequiredInt(scaling, "original_max_position_embeddings", source))),
            _ => throw new NotSupportedException($"{source}: rope type '{type}' is not supported; supported: default, llama3."),
        };
    }

    private static int RequiredInt(JsonObject json, string key, string source) =>
        OptionalInt(json, key) ?? throw new InvalidDataException($"{source}: '{key}' is missing.");

    private static double RequiredDouble(JsonObject json, string key, string source) =>
        OptionalDouble(json, key) ?? throw new InvalidDataException($"{source}: '{key}' is missing.");

    private static int? OptionalInt(JsonObject json, string key) =>
        json[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (int)v.GetValue<double>() : null;

    private static double? OptionalDouble(JsonObject json, string key) =>
        json[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;

    private static bool? OptionalBool(JsonObject json, string key) =>
        json[key] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    private static string? OptionalString(JsonObject json, string key) =>
        json[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
