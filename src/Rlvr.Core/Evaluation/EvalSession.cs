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

/// <summary>One dataset ready to evaluate: its catalog name, the problems (after --limit) and its sampling plan.</summary>
public sealed record EvalWork(string Dataset, IReadOnlyList<Problem> Problems, SamplingPlan Plan);

/// <summary>
/// Evaluates several datasets in turn with one generator and grader, then writes summary.json and each
/// dataset's file in upstream's eval_checkpoint.py layout (<see cref="UpstreamEvalFile"/>).
/// Each dataset uses the paper's sampling plan unless overridden (<see cref="EvalDefaults.For"/>).
/// </summary>
public static class EvalSession
{
    /// <summary>Loads and plans every dataset: call before loading a model, so that a typo in the last
    /// dataset fails at once rather than after the model has loaded.</summary>
    public static IReadOnlyList<EvalWork> Plan(EvalRequest request)
    {
        if (request.Datasets.Count == 0) throw new ArgumentException("--datasets: name at least one dataset");
        if (request.Limit is < 1) throw new ArgumentException($"--limit {request.Limit}: need at least 1");
        return request.Datasets.Select(name =>
        {
            var (datasetName, k) = SplitSamples(name);
            var loaded = DatasetLoader.Load(datasetName, new DatasetLoadOptions(DataDir: request.DataDir));
            var problems = request.Limit is int limit ? loaded.Problems.Take(limit).ToList() : loaded.Problems;
            var label = k is int samples ? $"{loaded.Name}@{samples}" : loaded.Name;
            return new EvalWork(label, problems, EvalDefaults.For(loaded.Name, request.Samples ?? k, request.Temperature));
        }).ToList();
    }

    /// <summary>
    /// Checks the output folder before any work: a finished result or an unfinished journal of a planned
    /// dataset made with other settings (or other problems, e.g. another --limit) would be replaced or refused
    /// only when its dataset's turn came, after the earlier datasets were rewritten. Refused now, naming the
    /// file, unless <paramref name="overwrite"/>: then those files are removed and the datasets run afresh.
    /// Results and journals with the same settings are kept (reused or resumed).
    /// </summary>
    public static void CheckOutputs(IReadOnlyList<EvalWork> work, EvalSettings settings, bool overwrite)
    {
        foreach (var w in work)
        {
            var run = EvalRunner.RunInfo(settings, w.Dataset, w.Plan);
            var result = settings.ResultPath(w.Dataset);
            if (File.Exists(result) && EvalRunner.TryReadComplete(result, run, w.Problems) is null)
                Conflict(result, "a finished evaluation with other settings or problems", overwrite);
            var journal = settings.JournalPath(w.Dataset);
            if (File.Exists(journal) && EvalJournal.ReadSettings(journal) is { } started && !started.SameSettingsAs(run))
                Conflict(journal, $"an unfinished evaluation with other settings ({EvalJournal.Describe(started)} vs {EvalJournal.Describe(run)})", overwrite);
        }
    }

    private static void Conflict(string path, string what, bool overwrite)
    {
        if (!overwrite)
            throw new InvalidOperationException($"{path} holds {what}; choose another --out, or pass --overwrite to replace it");
        File.Delete(path);
    }

    /// <summary>
    /// "AMC@8" is AMC with 8 samples per problem (upstream's in-training task names: k = 1 greedy, more at
    /// 0.6); the work is then labelled "AMC@8", so that one dataset at two k gets two result files.
    /// </summary>
    public static (string Dataset, int? Samples) SplitSamples(string name)
    {
        int at = name.LastIndexOf('@');
        if (at <= 0 || at == name.Length - 1 || !name[(at + 1)..].All(char.IsAsciiDigit)) return (name, null);
        var k = int.Parse(name[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (k < 1) throw new ArgumentException($"{name}: @k needs k >= 1");
        return (name[..at], k);
    }

    /// <summary>
    /// Evaluates the planned datasets and writes summary.json next to their result files; with several
    /// <paramref name="peers"/> the batches are split across ranks and rank 0 writes the files.
    /// </summary>
    public static (EvalSummary Summary, IReadOnlyList<EvalResult> Results) Run(IReadOnlyList<EvalWork> work, EvalSettings settings,
        ITextGenerator generator, IAnswerGrader grader, Action<EvalProgress>? progress = null, CancellationToken cancel = default,
        IWorkPeers? peers = null)
    {
        var runner = new EvalRunner(generator, grader, settings, progress, peers);
        var results = work.Select(w => runner.Run(w.Dataset, w.Problems, w.Plan, cancel)).ToList();
        var summary = EvalSummary.From(results);
        if ((peers?.Rank ?? 0) == 0)
        {
            summary.Write(Path.Combine(settings.OutputDir, "summary.json"));
            foreach (var result in results) UpstreamEvalFile.Write(result, settings);
        }
        return (summary, results);
    }

    /// <summary><see cref="Plan"/> then <see cref="Run(IReadOnlyList{EvalWork}, EvalSettings, ITextGenerator, IAnswerGrader, Action{EvalProgress}?, CancellationToken)"/>.</summary>
    public static (EvalSummary Summary, IReadOnlyList<EvalResult> Results) Run(EvalRequest request, EvalSettings settings,
        ITextGenerator generator, IAnswerGrader grader, Action<EvalProgress>? progress = null, CancellationToken cancel = default) =>
        Run(Plan(request), settings, generator, grader, progress, cancel);
}
