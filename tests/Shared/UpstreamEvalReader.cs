using System.Text.Json;

namespace Rlvr.Tests;

/// <summary>
/// A reader for the result files of upstream's evaluation script, written only from the output format of
/// ruixin31/Spurious_Rewards code/scripts/eval_checkpoint.py (commit 33b9f85): one JSON object per model and
/// dataset, file "{basename(model_path)}_{dataset}.json", with keys "avg@K" and "pass@K" (K = "rollouts"),
/// "dataset", "model", "temperature", "rollouts", "include_stop_str_in_output", "stop_string", "gpu_type",
/// "shards" and "metadata": a list of {"prompt", "label", "index", "outputs": [K response texts]}.
/// It reads what a script for the paper's outputs would read; it shares no code with the writer under test.
/// </summary>
public sealed record UpstreamEvalReader(string Dataset, string Model, double Temperature, int Rollouts, int Shards,
    double AvgAtK, double PassAtK, bool IncludeStop, IReadOnlyList<string>? StopStrings, string GpuType,
    IReadOnlyList<UpstreamEvalReader.Item> Metadata)
{
    /// <summary>One problem: the prompt the model saw, its label, its index in the dataset and its K outputs.</summary>
    public sealed record Item(string Prompt, string Label, int Index, IReadOnlyList<string> Outputs);

    public static UpstreamEvalReader Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        int k = root.GetProperty("rollouts").GetInt32();
        var stop = root.GetProperty("stop_string");
        return new UpstreamEvalReader(
            root.GetProperty("dataset").GetString()!,
            root.GetProperty("model").GetString()!,
            root.GetProperty("temperature").GetDouble(),
            k,
            root.GetProperty("shards").GetInt32(),
            root.GetProperty($"avg@{k}").GetDouble(),
            root.GetProperty($"pass@{k}").GetDouble(),
            root.GetProperty("include_stop_str_in_output").GetBoolean(),
            stop.ValueKind == JsonValueKind.Null ? null : stop.EnumerateArray().Select(s => s.GetString()!).ToArray(),
            root.GetProperty("gpu_type").GetString()!,
            root.GetProperty("metadata").EnumerateArray().Select(m => new Item(
                m.GetProperty("prompt").GetString()!,
                m.GetProperty("label").GetString()!,
                m.GetProperty("index").GetInt32(),
                m.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()!).ToArray())).ToArray());
    }

    /// <summary>avg@K and pass@K recomputed from the outputs with a caller's verdict (as the script derives them:
    /// the mean over all K x n verdicts, and the mean over problems of the best verdict).</summary>
    public (double AvgAtK, double PassAtK) Recompute(Func<string, string, bool> correct)
    {
        var verdicts = Metadata.Select(m => m.Outputs.Select(o => correct(o, m.Label) ? 1.0 : 0.0).ToArray()).ToArray();
        return (verdicts.SelectMany(v => v).Average(), verdicts.Average(v => v.Max()));
    }
}
