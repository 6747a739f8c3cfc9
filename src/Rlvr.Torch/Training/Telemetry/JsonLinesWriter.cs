using Rlvr.Core.IO;
using System.Text.Json;

namespace Rlvr.Torch.Training.Telemetry;

/// <summary>
/// Appends one JSON object per line and flushes each, so a killed run keeps every finished line.
/// On resume the file is first cut back to the lines of steps at or before the checkpoint.
/// </summary>
public sealed class JsonLinesWriter : IDisposable
{
    // Relaxed escaping keeps "+" and "<" readable in completions; the output is never embedded in HTML.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly StreamWriter _writer;
    private readonly JsonSerializerOptions _options;

    /// <summary>Opens <paramref name="path"/> for appending (created when missing); <paramref name="options"/> default to relaxed escaping.</summary>
    public JsonLinesWriter(string path, JsonSerializerOptions? options = null)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        _options = options ?? Relaxed;
    }

    /// <summary>Writes one object (serialized as its runtime type) as a line.</summary>
    public void Write(object value) => _writer.WriteLine(JsonSerializer.Serialize(value, _options));

    /// <summary>
    /// Keeps only the lines whose "step" is at most <paramref name="lastStep"/> (and drops a torn last
    /// line), written to a temporary file and renamed.
    /// </summary>
    public static void TruncateAfterStep(string path, int lastStep)
    {
        if (!File.Exists(path)) return;
        var kept = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("step", out var s) && s.GetInt32() <= lastStep) kept.Add(line);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { /* a line cut by a kill, or no numeric step */ }
        }
        AtomicFile.WriteAllText(path, string.Concat(kept.Select(line => line + "\n")));
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
