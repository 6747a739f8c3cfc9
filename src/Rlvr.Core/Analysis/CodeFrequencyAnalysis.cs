using Rlvr.Core.Evaluation;

namespace Rlvr.Core.Analysis;

/// <summary>One row of the paper's Table 1 for one result file.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Responses">Number of responses.</param>
/// <param name="CodeFrequency">Share of responses with code reasoning ("python" in the text).</param>
/// <param name="Accuracy">Accuracy of all responses.</param>
/// <param name="AccuracyWithCode">Accuracy of responses with code reasoning; null when there are none.</param>
/// <param name="AccuracyWithoutCode">Accuracy of language-only responses; null when there are none.</param>
public sealed record CodeFrequencyRow(string Model, string Dataset, int Responses, double CodeFrequency, double Accuracy,
    double? AccuracyWithCode, double? AccuracyWithoutCode);

/// <summary>
/// Code-reasoning frequency and accuracy with and without it (the paper's Table 1: e.g. Qwen2.5-Math-7B
/// on MATH-500, 65.0% code, 60.9% accurate with code, 35.0% without). Uses the code flag stored per response.
/// </summary>
public static class CodeFrequencyAnalysis
{
    public static CodeFrequencyRow Analyze(EvalResult result)
    {
        var samples = result.Problems.SelectMany(p => p.Samples).ToList();
        if (samples.Count == 0) throw new ArgumentException($"{result.Run.Model}_{result.Run.Dataset}: no responses");
        var code = samples.Where(s => s.HasCode).ToList();
        var language = samples.Where(s => !s.HasCode).ToList();
        return new CodeFrequencyRow(result.Run.Model, result.Run.Dataset, samples.Count,
            (double)code.Count / samples.Count, Accuracy(samples)!.Value, Accuracy(code), Accuracy(language));
    }

    private static double? Accuracy(List<SampleOutcome> samples) =>
        samples.Count == 0 ? null : samples.Count(s => s.Correct) / (double)samples.Count;
}
