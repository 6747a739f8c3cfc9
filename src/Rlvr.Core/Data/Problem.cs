namespace Rlvr.Core.Data;

/// <summary>Which half of a dataset a problem comes from (upstream's train.json / test.json).</summary>
public enum DatasetSplit
{
    Train,
    Test,
}

/// <summary>One math problem as every later stage sees it: the raw problem text (no instruction
/// added; the prompt template adds that) and the label the reward is computed against.</summary>
/// <param name="Id">The row's id as text (upstream files mix string and integer ids); the row index when a row has none.</param>
/// <param name="Prompt">The raw problem text.</param>
/// <param name="Label">The answer the reward compares against (ground truth, or a majority-vote label).</param>
/// <param name="Source">Where the row says it comes from (its `source` field), else the dataset name.</param>
/// <param name="Split">The split it was read from.</param>
public sealed record Problem(string Id, string Prompt, string Label, string Source, DatasetSplit Split);

/// <summary>Parsing and printing of <see cref="DatasetSplit"/> as the lower-case names used in files and on the command line.</summary>
public static class DatasetSplits
{
    public static string Name(this DatasetSplit split) => split == DatasetSplit.Train ? "train" : "test";

    /// <summary>Parses "train" or "test" (any case); throws a one-line error naming the accepted values otherwise.</summary>
    public static DatasetSplit Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "train" => DatasetSplit.Train,
        "test" => DatasetSplit.Test,
        _ => throw new DatasetException($"unknown split '{text}': expected 'train' or 'test'"),
    };
}
