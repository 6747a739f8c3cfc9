using System.Text;
using System.Text.Json;
using Rlvr.Core.Data;

namespace Rlvr.Core.Voting;

/// <summary>Reads a samples file: JSON Lines, one {"id": ..., "response": "..."} per line (the id a
/// string or an integer, as in the datasets). Blank lines are ignored. Errors name the file and line.</summary>
public static class SampleReader
{
    /// <summary>All samples in memory (for small files and tests).</summary>
    public static IReadOnlyList<Sample> Read(string path) => [.. Stream(path)];

    /// <summary>The samples one at a time: 64 responses of up to 3,072 tokens for each of 40k problems
    /// would not fit in memory, and voting only needs each response's extracted answer.</summary>
    public static IEnumerable<Sample> Stream(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"{path}: samples file not found");
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement row;
            try
            {
                using var document = JsonDocument.Parse(line);
                row = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new DatasetException($"{path}: line {lineNumber}: invalid or truncated JSON at byte {e.BytePositionInLine}; expected {{\"id\": ..., \"response\": \"...\"}}", e);
            }
            if (row.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetException($"{path}: line {lineNumber}: is {RowFields.Describe(row.ValueKind)}; expected {{\"id\": ..., \"response\": \"...\"}}");
            }
            var id = row.TryGetProperty("id", out var idValue) ? idValue : default;
            var idText = id.ValueKind switch
            {
                JsonValueKind.String => id.GetString()!,
                JsonValueKind.Number => id.GetRawText(),
                JsonValueKind.Undefined or JsonValueKind.Null => throw new DatasetException($"{path}: line {lineNumber}: missing key 'id'"),
                _ => throw new DatasetException($"{path}: line {lineNumber}: key 'id' is {RowFields.Describe(id.ValueKind)}; expected a string or a number"),
            };
            if (!row.TryGetProperty("response", out var response) || response.ValueKind == JsonValueKind.Null)
            {
                throw new DatasetException($"{path}: line {lineNumber}: missing key 'response'");
            }
            if (response.ValueKind != JsonValueKind.String)
            {
                throw new DatasetException($"{path}: line {lineNumber}: key 'response' is {RowFields.Describe(response.ValueKind)}; expected a string");
            }
            yield return new Sample(idText, response.GetString()!, lineNumber);
        }
    }
}
