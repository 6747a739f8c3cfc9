using Rlvr.Core.Evaluation;

namespace Rlvr.Core.Analysis;

/// <summary>Reads evaluation results named on the command line: result files, or run folders (every
/// `*.json` result file in it; summary.json and temp files are skipped).</summary>
public static class ResultFiles
{
    public static IReadOnlyList<EvalResult> Read(string fileOrFolder)
    {
        if (File.Exists(fileOrFolder)) return [EvalJson.ReadResult(fileOrFolder)];
        if (!Directory.Exists(fileOrFolder)) throw new FileNotFoundException($"{fileOrFolder}: no such result file or run folder", fileOrFolder);
        var files = Directory.GetFiles(fileOrFolder, "*.json")
            .Where(f => Path.GetFileName(f) is var n && n != "summary.json" && !n.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) throw new FileNotFoundException($"{fileOrFolder}: no result files (*.json) in this folder", fileOrFolder);
        return files.Select(EvalJson.ReadResult).ToList();
    }

    /// <summary>Pairs the results of two runs by dataset (those present in both, in the first run's order).</summary>
    public static IReadOnlyList<(EvalResult Before, EvalResult After)> PairByDataset(IReadOnlyList<EvalResult> before, IReadOnlyList<EvalResult> after)
    {
        var afterByDataset = after.GroupBy(r => r.Run.Dataset).ToDictionary(g => g.Key, g => g.First());
        var pairs = before.Where(b => afterByDataset.ContainsKey(b.Run.Dataset)).Select(b => (b, afterByDataset[b.Run.Dataset])).ToList();
        if (pairs.Count == 0)
        {
            throw new ArgumentException($"no dataset in common (before: {string.Join(", ", before.Select(r => r.Run.Dataset))}; " +
                $"after: {string.Join(", ", after.Select(r => r.Run.Dataset))})");
        }
        return pairs;
    }
}
