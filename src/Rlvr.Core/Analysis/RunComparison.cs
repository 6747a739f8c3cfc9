using Rlvr.Core.Evaluation;

namespace Rlvr.Core.Analysis;

/// <summary>One evaluated run: a name and its datasets' headline scores (avg@k, pass@k).</summary>
public sealed record RunScores(string Name, IReadOnlyDictionary<string, (double AvgAtK, double PassAtK, int K)> Datasets);

/// <summary>Several runs side by side: datasets as rows, runs as columns, gains against the first run.</summary>
/// <param name="Datasets">Datasets present in any run, in first-seen order.</param>
/// <param name="Runs">The runs; the first is the baseline.</param>
public sealed record ComparisonTable(IReadOnlyList<string> Datasets, IReadOnlyList<RunScores> Runs)
{
    /// <summary>avg@k of a run on a dataset, or null if the run lacks it.</summary>
    public double? Score(int run, string dataset) => Runs[run].Datasets.TryGetValue(dataset, out var s) ? s.AvgAtK : null;

    /// <summary>Gain in points over the baseline (run 0), or null if either lacks the dataset.</summary>
    public double? GainPoints(int run, string dataset) =>
        Score(run, dataset) is double s && Score(0, dataset) is double b ? 100 * (s - b) : null;

    /// <summary>The unweighted mean avg@k over the datasets a run has.</summary>
    public double? Average(int run)
    {
        var scores = Datasets.Select(d => Score(run, d)).OfType<double>().ToList();
        return scores.Count == 0 ? null : scores.Average();
    }
}

/// <summary>Loads runs for <c>rlvr analyze compare</c>: a folder with summary.json (from rlvr eval), a
/// folder of result files, or one result file.</summary>
public static class RunComparison
{
    public static RunScores Load(string path)
    {
        var summary = Path.Combine(path, "summary.json");
        if (Directory.Exists(path) && File.Exists(summary))
        {
            var s = EvalSummary.Read(summary);
            return new RunScores(RunName(path, s.Model), s.Datasets.ToDictionary(d => d.Dataset, d => (d.AvgAtK, d.PassAtK, d.Samples)));
        }
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.json").Where(f => Path.GetFileName(f) != "summary.json").Order().ToArray()
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"{path}: no such run folder or result file", path);
        if (files.Length == 0) throw new FileNotFoundException($"{path}: no summary.json and no result files", path);
        var results = files.Select(EvalJson.ReadResult).ToList();
        return new RunScores(RunName(path, results[0].Run.Model),
            results.ToDictionary(r => r.Run.Dataset, r => (r.Metrics.AvgAtK, r.Metrics.PassAtKMax, r.Metrics.SamplesPerProblem)));
    }

    public static ComparisonTable Compare(IReadOnlyList<RunScores> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to compare");
        var datasets = new List<string>();
        foreach (var r in runs)
        {
            foreach (var d in r.Datasets.Keys)
            {
                if (!datasets.Contains(d)) datasets.Add(d);
            }
        }
        return new ComparisonTable(datasets, runs);
    }

    /// <summary>A folder's name tells runs apart better than a model name they may share.</summary>
    private static string RunName(string path, string model)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
        return Directory.Exists(path) && !string.IsNullOrEmpty(name) ? name : model;
    }
}
