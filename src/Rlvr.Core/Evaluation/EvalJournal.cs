using System.Text;
using System.Text.Json;

namespace Rlvr.Core.Evaluation;

/// <summary>
/// The append-only record of an evaluation in progress: `{model}_{dataset}.partial.jsonl`. Its first
/// line is the run's settings (<see cref="EvalRunInfo"/>), each further line one finished problem.
/// A line is appended and flushed once its problem is graded, so an interrupted run keeps every
/// problem it finished. A torn last line (a crash mid-write) is cut off when the journal is reopened.
/// The file stays open and locked while the run lasts, so a second evaluation into the same folder
/// fails at once instead of interleaving its lines.
/// </summary>
public sealed class EvalJournal : IDisposable
{
    private readonly FileStream _stream;

    private EvalJournal(string path, FileStream stream, IReadOnlyList<ProblemOutcome> done)
    {
        Path = path;
        _stream = stream;
        Done = done;
    }

    /// <summary>Problems finished before this run, in journal order.</summary>
    public IReadOnlyList<ProblemOutcome> Done { get; }

    public string Path { get; }

    /// <summary>Opens (or starts) the journal for <paramref name="run"/>; fails if it belongs to different settings or is in use.</summary>
    public static EvalJournal Open(string path, EvalRunInfo run)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"{path}: in use by another evaluation writing to the same folder ({e.Message})");
        }
        try
        {
            var done = ReadOrStart(stream, path, run);
            return new EvalJournal(path, stream, done);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static List<ProblemOutcome> ReadOrStart(FileStream stream, string path, EvalRunInfo run)
    {
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        stream.SetLength(end);  // drop a torn last line, if any
        stream.Seek(end, SeekOrigin.Begin);
        var lines = Encoding.UTF8.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            Write(stream, JsonSerializer.Serialize(run, EvalJson.Compact) + "\n");
            return [];
        }
        var header = Parse<EvalRunInfo>(lines[0], path, 1);
        if (!header.SameSettingsAs(run))
        {
            throw new InvalidOperationException(
                $"{path}: an unfinished evaluation with different settings is here ({Describe(header)} vs {Describe(run)}); delete it or use the same settings to resume");
        }
        var done = new List<ProblemOutcome>();
        for (var i = 1; i < lines.Length; i++) done.Add(Parse<ProblemOutcome>(lines[i], path, i + 1));
        return done;
    }

    /// <summary>Appends finished problems and flushes them to disk.</summary>
    public void Append(IEnumerable<ProblemOutcome> problems)
    {
        var text = new StringBuilder();
        foreach (var p in problems) text.Append(JsonSerializer.Serialize(p, EvalJson.Compact)).Append('\n');
        if (text.Length > 0) Write(_stream, text.ToString());
    }

    /// <summary>Closes and removes the journal once the final result file is written.</summary>
    public void Delete()
    {
        _stream.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _stream.Dispose();

    private static void Write(FileStream stream, string text)
    {
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush(flushToDisk: true);
    }

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

    /// <summary>The settings in the first line of the journal at <paramref name="path"/>; null when it has none yet.</summary>
    public static EvalRunInfo? ReadSettings(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var first = reader.ReadLine();
        return string.IsNullOrWhiteSpace(first) ? null : Parse<EvalRunInfo>(first, path, 1);
    }

    /// <summary>The settings a user chooses, in one line (for messages about a mismatch).</summary>
    public static string Describe(EvalRunInfo r) =>
        $"samples {r.Samples}, temperature {r.Temperature}, max tokens {r.MaxNewTokens}, grader {r.Grader}, template {r.Template}, shards {r.Shards}, seed {r.Seed}";
}
