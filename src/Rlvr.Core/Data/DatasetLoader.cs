namespace Rlvr.Core.Data;

/// <summary>How to load a dataset.</summary>
/// <param name="Split">The split to read; null means the dataset's default (test for evaluation sets, train for training sets).</param>
/// <param name="Keys">Field names for local files (`--input-key`, `--label-key`); null means the dataset's own (defaults prompt / answer).</param>
/// <param name="SkipInvalid">Skip and count rows with a missing, empty or mistyped problem or label (`--skip-invalid`) instead of failing.</param>
/// <param name="DataDir">The folder of shipped data; null means <see cref="DataDirectory.Resolve"/>.</param>
public sealed record DatasetLoadOptions(
    DatasetSplit? Split = null,
    RowKeys? Keys = null,
    bool SkipInvalid = false,
    string? DataDir = null)
{
    public static DatasetLoadOptions Default { get; } = new();
}

/// <summary>A loaded split: its problems in file order, and what was skipped.</summary>
/// <param name="Name">The catalog name, or the path for a local dataset.</param>
/// <param name="Split">The split that was read.</param>
/// <param name="Files">The files read, in order.</param>
/// <param name="Problems">The problems, in file order.</param>
/// <param name="Skipped">One message per skipped row (empty unless SkipInvalid).</param>
public sealed record LoadedDataset(
    string Name,
    DatasetSplit Split,
    IReadOnlyList<string> Files,
    IReadOnlyList<Problem> Problems,
    IReadOnlyList<string> Skipped);

/// <summary>
/// Loads a dataset by catalog name (<see cref="DatasetCatalog"/>) or by local path: a folder holding
/// train/test files (.json, .jsonl or .parquet), or one JSON array, JSON Lines or Parquet file.
/// Catalog names win over same-named paths; write "./NAME" to mean the path.
/// </summary>
public static class DatasetLoader
{
    private static readonly string[] Extensions = [".json", ".jsonl", ".parquet"];

    public static LoadedDataset Load(string nameOrPath, DatasetLoadOptions? options = null)
    {
        options ??= DatasetLoadOptions.Default;
        var spec = DatasetCatalog.Find(nameOrPath);
        if (spec != null) return LoadCatalog(spec, options);
        if (Directory.Exists(nameOrPath)) return LoadFolder(nameOrPath, options);
        if (File.Exists(nameOrPath)) return LoadFiles(nameOrPath, options.Split ?? DatasetSplit.Train, [nameOrPath], options, RowKeys.Default);
        throw new DatasetException(
            $"unknown dataset '{nameOrPath}': not a dataset name nor an existing file or folder; valid names: {string.Join(", ", DatasetCatalog.AllNames)}");
    }

    /// <summary>Loads a catalog dataset from the data folder.</summary>
    public static LoadedDataset LoadCatalog(DatasetSpec spec, DatasetLoadOptions options)
    {
        var split = options.Split ?? spec.DefaultSplit;
        if (!spec.Splits.TryGetValue(split, out var parts))
        {
            throw new DatasetException(
                $"dataset {spec.Name} has no {split.Name()} split (available: {string.Join(", ", spec.Splits.Keys.Select(s => s.Name()))})");
        }
        var dataDir = DataDirectory.Resolve(options.DataDir);
        var keys = options.Keys ?? spec.Keys;
        var problems = new List<Problem>();
        var skipped = new List<string>();
        var files = new List<string>();
        foreach (var part in parts)
        {
            var path = Path.Combine(dataDir, part.RelativePath);
            if (!File.Exists(path)) throw new DatasetException($"{path}: file of dataset {spec.Name} not found (is {dataDir} the project's data folder?)");
            var file = ProblemReader.Read(path, new ProblemReadOptions(keys, split, spec.Name, options.SkipInvalid || spec.SkipsInvalidRows, part.IdPrefix, spec.AllowsEmptyLabels));
            problems.AddRange(file.Problems);
            skipped.AddRange(file.Skipped);
            files.Add(path);
        }
        return new LoadedDataset(spec.Name, split, files, problems, skipped);
    }

    private static LoadedDataset LoadFolder(string folder, DatasetLoadOptions options)
    {
        var bySplit = new Dictionary<DatasetSplit, string>();
        foreach (var split in new[] { DatasetSplit.Train, DatasetSplit.Test })
        {
            var found = Extensions.Select(e => Path.Combine(folder, split.Name() + e)).Where(File.Exists).ToList();
            if (found.Count > 1) throw new DatasetException($"{folder}: several {split.Name()} files ({string.Join(", ", found.Select(Path.GetFileName))}); keep one");
            if (found.Count == 1) bySplit[split] = found[0];
        }
        if (bySplit.Count == 0) throw new DatasetException($"{folder}: no train.json/test.json (or .jsonl/.parquet) in this folder");
        var chosen = options.Split ?? (bySplit.ContainsKey(DatasetSplit.Train) ? DatasetSplit.Train : DatasetSplit.Test);
        if (!bySplit.TryGetValue(chosen, out var file))
        {
            throw new DatasetException($"{folder}: no {chosen.Name()} split (found: {string.Join(", ", bySplit.Values.Select(Path.GetFileName))})");
        }
        return LoadFiles(folder, chosen, [file], options, RowKeys.Default);
    }

    private static LoadedDataset LoadFiles(string name, DatasetSplit split, IReadOnlyList<string> paths, DatasetLoadOptions options, RowKeys defaultKeys)
    {
        var source = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(name));
        var problems = new List<Problem>();
        var skipped = new List<string>();
        foreach (var path in paths)
        {
            var file = ProblemReader.Read(path, new ProblemReadOptions(options.Keys ?? defaultKeys, split, source, options.SkipInvalid));
            problems.AddRange(file.Problems);
            skipped.AddRange(file.Skipped);
        }
        return new LoadedDataset(name, split, paths, problems, skipped);
    }
}
