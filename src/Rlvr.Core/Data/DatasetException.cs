namespace Rlvr.Core.Data;

/// <summary>A dataset could not be found or read. The message is one line naming the file, the row
/// (0-based index, as in the JSON array or Parquet file) and what was expected, so the CLI prints it as is.</summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);
