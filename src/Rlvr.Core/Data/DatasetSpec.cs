namespace Rlvr.Core.Data;

/// <summary>One file of a split, relative to the data folder.</summary>
/// <param name="RelativePath">Path under data/, with '/' separators.</param>
/// <param name="IdPrefix">Put before each id, where concatenated files repeat ids.</param>
public sealed record DatasetPart(string RelativePath, string IdPrefix = "");

/// <summary>A dataset researchers can name. Each split is one or more files, read in order and concatenated.</summary>
/// <param name="Name">The name used on the command line and in configs.</param>
/// <param name="Description">One line: what it is and where it comes from.</param>
/// <param name="Aliases">Other accepted names (upstream folder names).</param>
/// <param name="Splits">The files of each split; a split missing here does not exist for this dataset.</param>
/// <param name="DefaultSplit">The split used when none is asked for.</param>
/// <param name="Keys">Which row fields hold problem, label, id and source.</param>
/// <param name="AllowsEmptyLabels">Rows may carry an empty label: upstream's majority-vote sets label a
/// problem "" when the model's most common extracted answer was empty, and trained on such rows.</param>
/// <param name="SkipsInvalidRows">The upstream file has rows without a label; they are always skipped (and counted) rather than failing the load.</param>
public sealed record DatasetSpec(
    string Name,
    string Description,
    IReadOnlyList<string> Aliases,
    IReadOnlyDictionary<DatasetSplit, IReadOnlyList<DatasetPart>> Splits,
    DatasetSplit DefaultSplit,
    RowKeys Keys,
    bool SkipsInvalidRows = false,
    bool AllowsEmptyLabels = false)
{
    /// <summary>"MATH-TTT/test.json" or "DeepScaleR_Difficulty_Level_{1..5}/train.json (5 files)": where a split's rows come from.</summary>
    public string SourceOf(DatasetSplit split)
    {
        var parts = Splits[split];
        return parts.Count == 1 ? parts[0].RelativePath : $"{string.Join(" + ", parts.Select(p => p.RelativePath))}";
    }
}
