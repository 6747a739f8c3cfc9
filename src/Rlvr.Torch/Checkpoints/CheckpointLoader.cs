using System.Text.Json.Nodes;
using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Checkpoints;

/// <summary>
/// Loads a Hugging Face model folder (config.json + model.safetensors or model.safetensors.index.json with
/// shards) into a <see cref="CausalLanguageModel"/> on the requested device and dtype.
/// </summary>
public static class CheckpointLoader
{
    /// <summary>Single-file weights.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>Index of sharded weights.</summary>
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>
    /// Reads config.json and streams every weight into a new model. Errors name the file and tensor:
    /// an unknown architecture, a missing weight file, a missing tensor, a truncated file, a shape mismatch.
    /// </summary>
    public static CausalLanguageModel Load(string directory, Placement placement)
    {
        var config = ModelConfigReader.ReadFile(Path.Combine(directory, "config.json"));
        var model = new CausalLanguageModel(config, placement);
        try
        {
            LoadWeights(model, directory);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Overwrites every parameter of <paramref name="model"/> with the folder's weights.</summary>
    public static void LoadWeights(CausalLanguageModel model, string directory)
    {
        var fileOf = WeightFileMap(directory);
        var open = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            using var noGrad = no_grad();
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!fileOf.TryGetValue(name, out var file))
                    throw new KeyNotFoundException($"{directory}: tensor '{name}' is missing from {DescribeWeights(directory)}.");
                if (!open.TryGetValue(file, out var reader))
                {
                    var path = Path.Combine(directory, file);
                    if (!File.Exists(path))
                        throw new FileNotFoundException($"{path}: weight file not found (it should hold tensor '{name}').", path);
                    open[file] = reader = SafeTensorsFile.Open(path);
                }
                if (!reader.Entries.TryGetValue(name, out var entry))
                    throw new KeyNotFoundException($"{reader.Path}: tensor '{name}' is missing.");
                if (!entry.Shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException(
                        $"{reader.Path}: tensor '{name}' has shape [{string.Join(",", entry.Shape)}], the config implies [{string.Join(",", parameter.shape)}].");
                using var loaded = reader.Read(name);
                parameter.copy_(loaded); // converts dtype and moves to the device
            }
        }
        finally
        {
            foreach (var reader in open.Values) reader.Dispose();
        }
    }

    /// <summary>Tensor name → file name within the folder (one file, or the index's weight_map).</summary>
    private static Dictionary<string, string> WeightFileMap(string directory)
    {
        var single = Path.Combine(directory, WeightsFile);
        var index = Path.Combine(directory, IndexFile);
        if (File.Exists(index))
        {
            var json = JsonNode.Parse(File.ReadAllText(index)) as JsonObject;
            var map = json?["weight_map"] as JsonObject
                ?? throw new InvalidDataException($"{index}: 'weight_map' is missing.");
            return map.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
        }
        if (File.Exists(single))
        {
            using var reader = SafeTensorsFile.Open(single);
            return reader.Entries.Keys.ToDictionary(k => k, _ => WeightsFile, StringComparer.Ordinal);
        }
        throw new FileNotFoundException($"{directory}: neither {WeightsFile} nor {IndexFile} found.");
    }

    private static string DescribeWeights(string directory) =>
        File.Exists(Path.Combine(directory, IndexFile)) ? IndexFile : WeightsFile;
}
