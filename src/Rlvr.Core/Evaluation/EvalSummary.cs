using Rlvr.Core.IO;
using System.Text.Json;

namespace Rlvr.Core.Evaluation;

/// <summary>One dataset's line of summary.json.</summary>
public sealed record DatasetSummary(string Dataset, int Problems, int Samples, double Temperature, double AvgAtK, double PassAtK,
    double CodeFrequency, double MeanCompletionTokens, string File);

/// <summary>
/// summary.json: each dataset's avg@k and pass@k (k = its samples per problem), and the overall
/// figures, which are the unweighted means over datasets (as a paper's "average" column; a pooled
/// mean would let MATH-500's 500 problems drown the 30 of AIME).
/// </summary>
public sealed record EvalSummary(string Model, string Grader, string Template, IReadOnlyList<DatasetSummary> Datasets,
    double OverallAvgAtK, double OverallPassAtK)
{
    public static EvalSummary From(IReadOnlyList<EvalResult> results)
    {
        if (results.Count == 0) throw new ArgumentException("no results to summarise", nameof(results));
        var first = results[0].Run;
        var lines = results.Select(r => new DatasetSummary(r.Run.Dataset, r.Metrics.Problems, r.Metrics.SamplesPerProblem, r.Run.Temperature,
            r.Metrics.AvgAtK, r.Metrics.PassAtKMax, r.Metrics.CodeFrequency, r.Metrics.MeanCompletionTokens,
            EvalSettings.ResultFileName(r.Run.Model, r.Run.Dataset))).ToList();
        return new EvalSummary(first.Model, first.Grader, first.Template, lines, lines.Average(l => l.AvgAtK), lines.Average(l => l.PassAtK));
    }

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, EvalJson.Options));

    public static EvalSummary Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<EvalSummary>(File.ReadAllText(path), EvalJson.Options)
                ?? throw new FormatException($"{path}: empty summary");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not a summary.json ({e.Message})");
        }
    }
}
