using System.Text;
using System.Text.Json;

namespace Rlvr.Core.Evaluation;

/// <summary>
/// The append-only record of an evaluation in progress: `{model}_{dataset}.partial.jsonl`. Its first
/// line is the run's settings (<see cref="EvalRunInfo"/>), each further line one finished problem.
/// A line is appended and flushed once its problem is graded, so an interrupted run keeps every
/// problem it finished. A torn last line (a crash mid-write) is cut off when the journal is reopened.
/// </summary>
public sealed class EvalJournal
{
    private readonly string _path;

    private EvalJournal(string path, IReadOnlyList<ProblemOutcome> done)
    {
        _path = path;
        Done = done;
    }

    /// <summary>Problems finished before this run, by journal order.</summary>
    public IReadOnlyList<ProblemOutcome> Done { get; }

    public string Path => _path;

    /// <summary>Opens (or starts) the journal for <paramref name="run"/>; fails if it belongs to different settings.</summary>
    public static EvalJournal Open(string path, EvalRunInfo run)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(run, EvalJson.Compact) + "\n");
            return new EvalJournal(path, []);
        }

        var bytes = File.ReadAllBytes(path);
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (end < bytes.Length)
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
            f.SetLength(end);  // drop the torn line
        }
        var lines = Encoding.UTF8.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(run, EvalJson.Compact) + "\n");
            return new EvalJournal(path, []);
        }
        var header = Parse<EvalRunInfo>(lines[0], path, 1);
        if (!header.SameSettingsAs(run))
        {
            throw new InvalidOperationException(
                $"{path}: an unfinished evaluation with different settings is here ({Describe(header)} vs {Describe(run)}); delete it or use the same settings to resume");
        }
        var done = new List<ProblemOutcome>();
        for (var i = 1; i < lines.Length; i++) done.Add(Parse<ProblemOutcome>(lines[i], path, i + 1));
        return new EvalJournal(path, done);
    }

    /// <summary>Appends finished problems and flushes them to disk.</summary>
    public void Append(IEnumerable<ProblemOutcome> problems)
    {
        var text = new StringBuilder();
        foreach (var p in problems) text.Append(JsonSerializer.Serialize(p, EvalJson.Compact)).Append('\n');
        if (text.Length == 0) return;
        using var f = new FileStream(_path, FileMode.Append, FileAccess.Write);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        f.Write(bytes);
        f.Flush(flushToDisk: true);
    }

    /// <summary>Removes the journal once the final result file is written.</summary>
    public void Delete() => File.Delete(_path);

    private static T Parse<T>(string line, string path, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, EvalJson.Compact) ?? throw new FormatException($"{path}:{lineNumber}: empty record");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}:{lineNumber}: not a journal record ({e.Message})");
        }
    }

    private static string Describe(EvalRunInfo r) =>
        $"samples {r.Samples}, temperature {r.Temperature}, max tokens {r.MaxNewTokens}, grader {r.Grader}, template {r.Template}, shards {r.Shards}, seed {r.Seed}";
}
