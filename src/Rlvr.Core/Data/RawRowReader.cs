using System.Text;
using System.Text.Json;

namespace Rlvr.Core.Data;

/// <summary>Reads the rows of a JSON array, JSON Lines or Parquet file. Any syntax error becomes a
/// <see cref="DatasetException"/> naming the file and the row (and line) where reading stopped.</summary>
public static class RawRowReader
{
    /// <summary>Decides the format: `.parquet` is Parquet, `.jsonl` JSON Lines; otherwise the first
    /// non-blank character decides (`[` a JSON array, `{` JSON Lines).</summary>
    public static DataFileFormat DetectFormat(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".parquet") return DataFileFormat.Parquet;
        if (extension is ".jsonl" or ".ndjson") return DataFileFormat.JsonLines;
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int c;
        while ((c = reader.Read()) >= 0 && char.IsWhiteSpace((char)c)) { }
        return c switch
        {
            '[' => DataFileFormat.JsonArray,
            '{' => DataFileFormat.JsonLines,
            < 0 => throw new DatasetException($"{path}: the file is empty; expected a JSON array, JSON Lines or Parquet"),
            _ => throw new DatasetException($"{path}: starts with '{(char)c}'; expected a JSON array ('['), JSON Lines ('{{') or a .parquet file"),
        };
    }

    public static IReadOnlyList<RawRow> Read(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"{path}: file not found");
        return DetectFormat(path) switch
        {
            DataFileFormat.JsonArray => ReadJsonArray(path),
            DataFileFormat.JsonLines => ReadJsonLines(path),
            _ => ParquetRowReader.Read(path),
        };
    }

    private static IReadOnlyList<RawRow> ReadJsonArray(string path)
    {
        var bytes = StripBom(File.ReadAllBytes(path));
        var rows = new List<RawRow>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            reader.Read(); // the '[' DetectFormat saw
            while (true)
            {
                if (!reader.Read()) throw new DatasetException($"{path}: row {rows.Count}: the JSON array ends early (file truncated?)");
                if (reader.TokenType == JsonTokenType.EndArray) break;
                rows.Add(new RawRow(rows.Count, null, JsonElement.ParseValue(ref reader)));
            }
            if (reader.Read()) throw new DatasetException($"{path}: unexpected content after the closing ']' of the JSON array");
        }
        catch (JsonException e)
        {
            throw new DatasetException(
                $"{path}: row {rows.Count}: invalid or truncated JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine}: {FirstLine(e.Message)}", e);
        }
        return rows;
    }

    private static IReadOnlyList<RawRow> ReadJsonLines(string path)
    {
        var rows = new List<RawRow>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                rows.Add(new RawRow(rows.Count, lineNumber, document.RootElement.Clone()));
            }
            catch (JsonException e)
            {
                throw new DatasetException(
                    $"{path}: row {rows.Count} (line {lineNumber}): invalid or truncated JSON at byte {e.BytePositionInLine}: {FirstLine(e.Message)}", e);
            }
        }
        return rows;
    }

    private static byte[] StripBom(byte[] bytes) =>
        bytes is [0xEF, 0xBB, 0xBF, ..] ? bytes[3..] : bytes;

    /// <summary>System.Text.Json messages carry a "Path: ... | LineNumber: ..." tail; the location is already in our message.</summary>
    private static string FirstLine(string message)
    {
        // System.Text.Json appends " Path: ..." and/or " LineNumber: 0 | BytePositionInLine: n." (0-based,
        // so it would contradict the 1-based line this message already names): keep only the description.
        var text = message;
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = text.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0) text = text[..cut];
        }
        return text.ReplaceLineEndings(" ").Trim();
    }
}
