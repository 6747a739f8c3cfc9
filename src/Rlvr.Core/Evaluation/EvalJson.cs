using Rlvr.Core.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rlvr.Core.Evaluation;

/// <summary>The JSON form of evaluation files: snake_case names, enums as lower-case strings, indented.</summary>
public static class EvalJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One line per record (journal lines).</summary>
    public static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };

    /// <summary>Reads an evaluation result file, with a one-line error naming the file on bad input.</summary>
    public static EvalResult ReadResult(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: evaluation result file not found", path);
        try
        {
            var result = JsonSerializer.Deserialize<EvalResult>(File.ReadAllText(path), Options);
            if (result?.Run == null || result.Problems == null)
                throw new FormatException($"{path}: not an evaluation result (expected run, metrics, problems)");
            if (result.Run.Model == null || result.Run.Dataset == null)
                throw new FormatException($"{path}: run.model and run.dataset are required");
            for (var i = 0; i < result.Problems.Count; i++)
            {
                var p = result.Problems[i];
                if (p?.Id == null || p.Samples == null || p.Samples.Any(s => s?.Response == null))
                    throw new FormatException($"{path}: problem {i} needs an id and samples with a response each");
            }
            // A file written by hand or another tool may leave the metrics out: they follow from the responses.
            return result.Metrics == null ? result with { Metrics = EvalMetricsCalculator.Compute(result.Problems) } : result;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not an evaluation result file ({e.Message})");
        }
    }

    public static void WriteResult(string path, EvalResult result) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(result, Options));
}
