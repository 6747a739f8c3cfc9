using System.Text.Json.Nodes;
using Rlvr.Core.IO;

namespace Rlvr.Core.Evaluation;

/// <summary>
/// A dataset's result in the layout of upstream's scripts/eval_checkpoint.py, so that scripts written for the
/// paper's outputs read ours: <c>{OUT}/upstream/{model}_{dataset}.json</c> (a folder of its own, because our
/// richer result file already has that name in OUT) holding one object with <c>avg@{k}</c> (mean correctness
/// over all k x n samples), <c>pass@{k}</c> (mean over problems of "any sample correct"), <c>dataset</c>,
/// <c>model</c> (the model path), <c>temperature</c>, <c>rollouts</c> (k), <c>include_stop_str_in_output</c>,
/// <c>stop_string</c> (a list, or null without stop strings), <c>gpu_type</c>, <c>shards</c> and
/// <c>metadata</c>: per problem in dataset order <c>{prompt, label, index, outputs}</c>, the prompt as the
/// model saw it and the k responses in sample order. Written indented (upstream: json.dump(indent=4)).
/// </summary>
public static class UpstreamEvalFile
{
    /// <summary>The folder inside the evaluation output folder.</summary>
    public const string Folder = "upstream";

    /// <summary>Writes <paramref name="result"/>'s file; returns its path.</summary>
    public static string Write(EvalResult result, EvalSettings settings)
    {
        var run = result.Run;
        int k = result.Metrics.SamplesPerProblem;
        var stops = run.StopStrings ?? [];
        var file = new JsonObject
        {
            [$"avg@{k}"] = result.Metrics.AvgAtK,
            [$"pass@{k}"] = result.Problems.Count == 0 ? 0.0 : result.Problems.Average(p => p.Samples.Any(s => s.Correct) ? 1.0 : 0.0),
            ["dataset"] = run.Dataset,
            ["model"] = settings.ModelPath ?? run.Model,
            ["temperature"] = run.Temperature,
            ["rollouts"] = k,
            // our responses always keep the stop string that ended them, as upstream's base-model mode asks
            ["include_stop_str_in_output"] = stops.Count > 0,
            ["stop_string"] = stops.Count == 0 ? null : new JsonArray([.. stops.Select(s => (JsonNode?)s)]),
            ["gpu_type"] = settings.Device,
            ["shards"] = run.Shards,
            ["metadata"] = new JsonArray([.. result.Problems.Select(p => (JsonNode?)new JsonObject
            {
                ["prompt"] = settings.Prompt(p.Problem),
                ["label"] = p.Label,
                ["index"] = p.Index,
                ["outputs"] = new JsonArray([.. p.Samples.Select(s => (JsonNode?)s.Response)]),
            })]),
        };
        var path = Path.Combine(settings.OutputDir, Folder, EvalSettings.ResultFileName(run.Model, run.Dataset));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, file.ToJsonString(EvalJson.Options) + "\n");
        return path;
    }
}
