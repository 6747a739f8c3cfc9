namespace Rlvr.Core.Evaluation;

/// <summary>Computes <see cref="DatasetMetrics"/> from graded problems.</summary>
public static class EvalMetricsCalculator
{
    public static DatasetMetrics Compute(IReadOnlyList<ProblemOutcome> problems)
    {
        if (problems.Count == 0) throw new ArgumentException("no problems to compute metrics over", nameof(problems));
        var k = problems[0].Samples.Count;
        var uneven = problems.FirstOrDefault(p => p.Samples.Count != k);
        if (uneven != null)
            throw new ArgumentException($"problem {uneven.Id} has {uneven.Samples.Count} samples, others {k}: avg@k needs the same k everywhere", nameof(problems));
        if (k == 0) throw new ArgumentException("problems have no samples", nameof(problems));

        var samples = problems.SelectMany(p => p.Samples).ToList();
        var passAtK = PassAtK.ReportedKs(k).ToDictionary(j => j, j => problems.Average(p => PassAtK.Estimate(k, p.CorrectCount, j)));
        var withCode = samples.Where(s => s.HasCode).ToList();
        var withoutCode = samples.Where(s => !s.HasCode).ToList();
        return new DatasetMetrics(
            problems.Count,
            k,
            samples.Average(s => s.Correct ? 1.0 : 0.0),
            passAtK,
            (double)withCode.Count / samples.Count,
            withCode.Count == 0 ? null : withCode.Average(s => s.Correct ? 1.0 : 0.0),
            withoutCode.Count == 0 ? null : withoutCode.Average(s => s.Correct ? 1.0 : 0.0),
            samples.Average(s => (double)s.CompletionTokens),
            samples.Average(s => s.Finish == FinishReason.Length ? 1.0 : 0.0));
    }
}
