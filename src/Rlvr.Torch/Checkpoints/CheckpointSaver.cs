using System.Text.Json;
using System.Text.Json.Nodes;
using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Checkpoints;

/// <summary>
/// Writes a model as a Hugging Face folder that transformers and vLLM load: config.json,
/// model.safetensors (or shards model-0000i-of-0000n.safetensors plus model.safetensors.index.json above
/// <see cref="DefaultShardBytes"/>), and the tokenizer/generation files copied from a source folder.
/// Everything is written into a temporary sibling folder that is renamed into place at the end.
/// </summary>
public static class CheckpointSaver
{
    /// <summary>transformers' own default max_shard_size (5 GB).</summary>
    public const long DefaultShardBytes = 5_000_000_000;

    /// <summary>Files copied verbatim from the source folder when present.</summary>
    public static readonly string[] CopiedFiles =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
        "added_tokens.json", "generation_config.json", "chat_template.jinja",
    ];

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="directory"/> (replaced if it exists) in
    /// <paramref name="dtype"/> (default: the model's dtype). Tied heads are not written (the embedding
    /// is the head). <paramref name="copyFrom"/> names the folder whose tokenizer files are copied.
    /// </summary>
    public static void Save(CausalLanguageModel model, string directory, string? copyFrom = null,
        ScalarType? dtype = null, long shardBytes = DefaultShardBytes)
    {
        var saveType = dtype ?? model.Placement.DType;
        var full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        try
        {
            WriteConfig(model.Config, saveType, Path.Combine(temp, "config.json"));
            WriteWeights(model, temp, saveType, shardBytes);
            if (copyFrom is not null)
            {
                foreach (var file in CopiedFiles)
                {
                    var source = Path.Combine(copyFrom, file);
                    if (File.Exists(source)) File.Copy(source, Path.Combine(temp, file));
                }
            }
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(temp, full);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    private static void WriteWeights(CausalLanguageModel model, string folder, ScalarType dtype, long shardBytes)
    {
        var tensors = model.named_parameters()
            .Select(p => (Name: p.name, Tensor: (Tensor)p.parameter))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        // Greedy packing in name order, as transformers does; a tensor larger than a shard gets its own.
        var shards = new List<List<(string Name, Tensor Tensor)>> { new() };
        long current = 0, total = 0;
        foreach (var entry in tensors)
        {
            var size = SafeTensorsWriter.DataSize(entry.Tensor, dtype);
            if (current > 0 && current + size > shardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(entry);
            current += size;
            total += size;
        }
        if (shards.Count == 1)
        {
            SafeTensorsWriter.Write(Path.Combine(folder, CheckpointLoader.WeightsFile), shards[0], dtype);
            return;
        }
        var weightMap = new JsonObject();
        for (var i = 0; i < shards.Count; i++)
        {
            var name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafeTensorsWriter.Write(Path.Combine(folder, name), shards[i], dtype);
            foreach (var (tensorName, _) in shards[i]) weightMap[tensorName] = name;
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = total },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(Path.Combine(folder, CheckpointLoader.IndexFile), index.ToJsonString(Indented));
    }

    /// <summary>
    /// config.json: the source config with every field kept, dtype updated (both the transformers-5
    /// "dtype" and the transformers-4 "torch_dtype" so that either version reads it). A config built
    /// in code is written in the transformers-4 form that vLLM and older transformers read.
    /// </summary>
    private static void WriteConfig(ModelConfig config, ScalarType dtype, string path)
    {
        var json = config.SourceJson is null ? BuildConfig(config) : (JsonObject)config.SourceJson.DeepClone();
        json["dtype"] = ModelConfigReader.DTypeName(dtype);
        json["torch_dtype"] = ModelConfigReader.DTypeName(dtype);
        File.WriteAllText(path, json.ToJsonString(Indented));
    }

    private static JsonObject BuildConfig(ModelConfig c)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(ModelArchitectures.HfName(c.Architecture)),
            ["model_type"] = ModelArchitectures.ModelType(c.Architecture),
            ["vocab_size"] = c.VocabSize,
            ["hidden_size"] = c.HiddenSize,
            ["intermediate_size"] = c.IntermediateSize,
            ["num_hidden_layers"] = c.NumHiddenLayers,
            ["num_attention_heads"] = c.NumAttentionHeads,
            ["num_key_value_heads"] = c.NumKeyValueHeads,
            ["head_dim"] = c.HeadDim,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = c.RmsNormEps,
            ["rope_theta"] = c.RopeTheta,
            ["max_position_embeddings"] = c.MaxPositionEmbeddings,
            ["tie_word_embeddings"] = c.TieWordEmbeddings,
            ["attention_bias"] = c.Architecture != ModelArchitecture.Qwen2 && c.AttentionBias,
        };
        if (c.RopeScaling is { } s)
        {
            json["rope_scaling"] = new JsonObject
            {
                ["rope_type"] = "llama3",
                ["factor"] = s.Factor,
                ["low_freq_factor"] = s.LowFreqFactor,
                ["high_freq_factor"] = s.HighFreqFactor,
                ["original_max_position_embeddings"] = s.OriginalMaxPositionEmbeddings,
            };
        }
        if (c.BosTokenId is { } bos) json["bos_token_id"] = bos;
        if (c.EosTokenIds.Count == 1) json["eos_token_id"] = c.EosTokenIds[0];
        else if (c.EosTokenIds.Count > 1) json["eos_token_id"] = new JsonArray(c.EosTokenIds.Select(i => (JsonNode)i).ToArray());
        return json;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
