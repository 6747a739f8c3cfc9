using System.Text.Json;
using Rlvr.Core.IO;

namespace Rlvr.Core.Evaluation;

/// <summary>One evaluation set of one snapshot (a line of eval.jsonl holds one per set).</summary>
/// <param name="Set">The set as named in <c>eval.sets</c> (e.g. "AMC@8", "MATH-500@1"; "held-out" without sets).</param>
/// <param name="K">Samples per problem.</param>
/// <param name="Temperature">Sampling temperature (0 = greedy).</param>
/// <param name="AvgAtK">avg@k: mean correctness over all samples (upstream's eval/acc_{set}).</param>
/// <param name="PassAtK">pass@k: share of problems with a correct sample (upstream's eval/pass_at_k_{set}).</param>
/// <param name="CodeFrequency">Share of samples with code reasoning (upstream's eval/accuracy_has_code_{set} counts the same predicate).</param>
/// <param name="Problems">Problems evaluated.</param>
public sealed record SnapshotSetResult(string Set, int K, double Temperature, double AvgAtK, double PassAtK, double CodeFrequency, int Problems);

/// <summary>One line of a run's eval.jsonl: the evaluation of the weights after <paramref name="Step"/> training steps.</summary>
/// <param name="Step">Training steps done when the snapshot was taken (0 = the base model). Upstream logs the same
/// evaluation at its global step <c>Step + 1</c> (it evaluates the previous step's weights).</param>
/// <param name="Sets">Each evaluation set's figures, in <c>eval.sets</c> order.</param>
/// <param name="MeanAvgAtK">The unweighted mean of the sets' avg@k.</param>
public sealed record SnapshotEvalEntry(int Step, IReadOnlyList<SnapshotSetResult> Sets, double MeanAvgAtK);

/// <summary>
/// A run's <c>eval.jsonl</c>: one <see cref="SnapshotEvalEntry"/> per evaluated snapshot, in snake_case
/// (<c>{"step", "sets": [{"set", "k", "temperature", "avg_at_k", "pass_at_k", "code_frequency", "problems"}],
/// "mean_avg_at_k"}</c>: a stable schema, read by <c>rlvr analyze</c> and by the trainer's snapshot pruning).
/// Lines are only appended, each whole; a line cut by a kill is dropped when read and before the next append.
/// </summary>
public static class SnapshotEvalLog
{
    /// <summary>File name in the run folder.</summary>
    public const string FileName = "eval.jsonl";

    private static readonly JsonSerializerOptions Json = new(EvalJson.Compact);

    /// <summary>The entries of <paramref name="runDirectory"/>'s eval.jsonl, in file order (none when it is missing).</summary>
    public static IReadOnlyList<SnapshotEvalEntry> Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) return [];
        var entries = new List<SnapshotEvalEntry>();
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize<SnapshotEvalEntry>(line, Json) is { Sets: not null } entry) entries.Add(entry);
            }
            catch (JsonException) { /* the last line, cut by a kill */ }
        }
        return entries;
    }

    /// <summary>The steps already evaluated.</summary>
    public static IReadOnlySet<int> EvaluatedSteps(string runDirectory) => Read(runDirectory).Select(e => e.Step).ToHashSet();

    /// <summary>Appends <paramref name="entry"/> as one line (first dropping a torn last line, so lines never run together).</summary>
    public static void Append(string runDirectory, SnapshotEvalEntry entry)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (File.Exists(path) && new FileInfo(path).Length > 0 && !EndsWithNewline(path))
            AtomicFile.WriteAllText(path, string.Concat(Read(runDirectory).Select(e => JsonSerializer.Serialize(e, Json) + "\n")));
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The entry of one evaluated snapshot from its datasets' results.</summary>
    public static SnapshotEvalEntry Entry(int step, IReadOnlyList<EvalResult> results)
    {
        var sets = results.Select(r => new SnapshotSetResult(r.Run.Dataset, r.Metrics.SamplesPerProblem, r.Run.Temperature,
            r.Metrics.AvgAtK, r.Metrics.PassAtKMax, r.Metrics.CodeFrequency, r.Metrics.Problems)).ToArray();
        return new SnapshotEvalEntry(step, sets, sets.Length == 0 ? 0 : sets.Average(s => s.AvgAtK));
    }

    private static bool EndsWithNewline(string path)
    {
        using var stream = File.OpenRead(path);
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }
}
