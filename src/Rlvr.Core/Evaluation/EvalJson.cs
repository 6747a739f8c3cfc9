using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rlvr.Core.Evaluation;

/// <summary>The JSON form of evaluation files: snake_case names, enums as lower-case strings, indented.</summary>
public static class EvalJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One line per record (journal lines).</summary>
    public static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };

    /// <summary>Reads an evaluation result file, with a one-line error naming the file on bad input.</summary>
    public static EvalResult ReadResult(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: evaluation result file not found", path);
        try
        {
            var result = JsonSerializer.Deserialize<EvalResult>(File.ReadAllText(path), Options);
            if (result?.Run == null || result.Problems == null)
                throw new FormatException($"{path}: not an evaluation result (expected run, metrics, problems)");
            return result;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not an evaluation result file ({e.Message})");
        }
    }

    public static void WriteResult(string path, EvalResult result) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(result, Options));
}
