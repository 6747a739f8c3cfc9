using System.Text.Json;

namespace Rlvr.Core.Data;

/// <summary>One row of a data file before its fields are interpreted.</summary>
/// <param name="Index">0-based position among the file's rows (the JSON array index, the Parquet row number, or the count of non-blank lines before it in JSON Lines).</param>
/// <param name="Line">1-based line in a JSON Lines file; null for other formats.</param>
/// <param name="Value">The row as JSON (Parquet rows are converted).</param>
public readonly record struct RawRow(int Index, int? Line, JsonElement Value)
{
    /// <summary>"row 3" or "row 3 (line 5)": how error messages point at this row.</summary>
    public string Where => Line is { } line ? $"row {Index} (line {line})" : $"row {Index}";
}
