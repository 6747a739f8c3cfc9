using Rlvr.Core.Data;
using Rlvr.Grading;

namespace Rlvr.Core.Evaluation;

/// <summary>What `rlvr eval` was asked for beyond the shared <see cref="EvalSettings"/>.</summary>
/// <param name="Datasets">Catalog names or paths (MATH-500, AIME-2024, AIME-2025, AMC, ...).</param>
/// <param name="Samples">Overrides every dataset's samples per problem (`--samples`).</param>
/// <param name="Temperature">Overrides every dataset's temperature (`--temperature`).</param>
/// <param name="Limit">Only the first this many problems of each dataset (`--limit`, for smoke tests).</param>
/// <param name="DataDir">The shipped data folder; null finds it.</param>
public sealed record EvalRequest(IReadOnlyList<string> Datasets, int? Samples = null, double? Temperature = null, int? Limit = null, string? DataDir = null);

/// <summary>
/// Evaluates several datasets in turn with one generator and grader, then writes summary.json.
/// Each dataset uses the paper's sampling plan unless overridden (<see cref="EvalDefaults.For"/>).
/// </summary>
public static class EvalSession
{
    public static (EvalSummary Summary, IReadOnlyList<EvalResult> Results) Run(EvalRequest request, EvalSettings settings,
        ITextGenerator generator, IAnswerGrader grader, Action<EvalProgress>? progress = null, CancellationToken cancel = default)
    {
        if (request.Datasets.Count == 0) throw new ArgumentException("--datasets: name at least one dataset");
        if (request.Limit is < 1) throw new ArgumentException($"--limit {request.Limit}: need at least 1");
        // Load and plan everything first, so a typo in the last dataset fails before hours of generation.
        var work = request.Datasets.Select(name =>
        {
            var loaded = DatasetLoader.Load(name, new DatasetLoadOptions(DataDir: request.DataDir));
            var problems = request.Limit is int limit ? loaded.Problems.Take(limit).ToList() : loaded.Problems;
            return (Name: loaded.Name, Problems: problems, Plan: EvalDefaults.For(loaded.Name, request.Samples, request.Temperature));
        }).ToList();

        var runner = new EvalRunner(generator, grader, settings, progress);
        var results = work.Select(w => runner.Run(w.Name, w.Problems, w.Plan, cancel)).ToList();
        var summary = EvalSummary.From(results);
        summary.Write(Path.Combine(settings.OutputDir, "summary.json"));
        return (summary, results);
    }
}
