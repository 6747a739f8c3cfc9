using System.CommandLine;
using Rlvr.Core.Data;

namespace Rlvr.Cli.Commands;

/// <summary>The dataset options shared by `rlvr data show` and `rlvr label`.</summary>
internal sealed class DataOptions
{
    public Option<string?> DataDir { get; } = new("--data-dir")
    {
        Description = $"Folder of the shipped datasets (default: ${DataDirectory.EnvironmentVariable}, else data/ of the repository holding this rlvr).",
    };

    public Option<string?> Split { get; } = new("--split")
    {
        Description = "train or test (default: the dataset's own: test for evaluation sets, train for training sets).",
    };

    public Option<string?> InputKey { get; } = new("--input-key")
    {
        Description = "Field holding the problem, for local files (default prompt; dotted paths reach nested fields).",
    };

    public Option<string?> LabelKey { get; } = new("--label-key")
    {
        Description = "Field holding the answer, for local files (default answer; e.g. reward_model.ground_truth for verl parquet).",
    };

    public Option<bool> SkipInvalid { get; } = new("--skip-invalid")
    {
        Description = "Skip and count rows with a missing, empty or mistyped problem or label instead of failing.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(DataDir);
        command.Options.Add(Split);
        command.Options.Add(InputKey);
        command.Options.Add(LabelKey);
        command.Options.Add(SkipInvalid);
    }

    /// <summary>Loads <paramref name="name"/> with the parsed options.</summary>
    public LoadedDataset Load(ParseResult parse, string name)
    {
        var split = parse.GetValue(Split) is { } text ? DatasetSplits.Parse(text) : (DatasetSplit?)null;
        var inputKey = parse.GetValue(InputKey);
        var labelKey = parse.GetValue(LabelKey);
        RowKeys? keys = inputKey == null && labelKey == null
            ? null
            : RowKeys.Default with { Input = inputKey ?? RowKeys.Default.Input, Label = labelKey ?? RowKeys.Default.Label };
        return DatasetLoader.Load(name, new DatasetLoadOptions(split, keys, parse.GetValue(SkipInvalid), parse.GetValue(DataDir)));
    }
}
