namespace Rlvr.Core.Data;

/// <summary>The file formats a dataset may be stored in.</summary>
public enum DataFileFormat
{
    /// <summary>One JSON array of row objects (upstream's train.json / test.json).</summary>
    JsonArray,
    /// <summary>One JSON object per line; blank lines are ignored.</summary>
    JsonLines,
    /// <summary>Apache Parquet, nested columns allowed (verl format).</summary>
    Parquet,
}
