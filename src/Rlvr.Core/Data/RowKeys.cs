namespace Rlvr.Core.Data;

/// <summary>Which fields of a row hold what. A key may be a dotted path into nested objects
/// (`reward_model.ground_truth`, as in verl-format Parquet); a key naming a list of chat messages
/// ({role, content}) yields the content of the last user message.</summary>
/// <param name="Input">The problem text (upstream `--input_key`, default `prompt`).</param>
/// <param name="Label">The answer (upstream `--label_key`, default `answer`).</param>
/// <param name="Id">The row id; optional in the file (the row index is used when absent).</param>
/// <param name="Source">The row's origin; optional (the dataset name is used when absent).</param>
public sealed record RowKeys(string Input = "prompt", string Label = "answer", string Id = "id", string Source = "source")
{
    public static RowKeys Default { get; } = new();

    /// <summary>The keys of verl-format Parquet files such as One-Shot-RLVR's `pi1_r128.parquet`.</summary>
    public static RowKeys Verl { get; } = new("prompt", "reward_model.ground_truth", "extra_info.index", "data_source");
}
