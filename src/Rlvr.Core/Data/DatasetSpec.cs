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
    /// <summary>Where a split's rows come from: "MATH-TTT/test.json", or for several files their
    /// common prefix and suffix around the differing parts: "DeepScaleR_Difficulty_Level_{1,2,3,4,5}/train.json".</summary>
    public string SourceOf(DatasetSplit split)
    {
        var paths = Splits[split].Select(p => p.RelativePath).ToList();
        if (paths.Count == 1) return paths[0];
        var prefix = paths.Aggregate((a, b) => a[..CommonLength(a, b)]);
        var suffix = Reverse(paths.Select(Reverse).Aggregate((a, b) => a[..CommonLength(a, b)]));
        var middles = paths.Select(p => p[prefix.Length..^suffix.Length]);
        return $"{prefix}{{{string.Join(",", middles)}}}{suffix}";
    }

    private static int CommonLength(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    private static string Reverse(string s) => new([.. s.Reverse()]);
}
