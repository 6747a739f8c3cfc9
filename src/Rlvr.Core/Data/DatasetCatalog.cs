namespace Rlvr.Core.Data;

/// <summary>
/// The datasets the project ships under data/ (see data/README.md), by the names the paper and
/// upstream scripts use. Upstream folder names are aliases. Where upstream's train.json was a
/// byte-identical copy of test.json (the four evaluation sets), only the test split exists here.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The models whose majority-vote label sets upstream ships (first 100 rows each, as test.json).</summary>
    public static readonly IReadOnlyList<string> MajorityVoteModels =
    [
        "llama3.1_8b_instruct", "llama3.2_3b_instruct", "olmo_2_1124_7b", "olmo_2_1124_7b_sft",
        "qwen2.5_1.5b", "qwen2.5_7b", "qwen2.5_math_1.5b", "qwen2.5_math_7b",
    ];

    /// <summary>The One-Shot-RLVR parquet files (verl format) under data/one_shot_rlvr/, by file stem.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> OneShotSets =
    [
        ("pi1_r128", "One-shot RLVR: the pi1 example (sail pressure, answer 12.8) repeated 128 times; the paper's one-shot run"),
        ("pi2_r128", "One-shot RLVR: the pi2 example repeated 128 times"),
        ("pi13_r128", "One-shot RLVR: the pi13 example repeated 128 times"),
        ("pi1209_r128", "One-shot RLVR: the pi1209 example repeated 128 times"),
        ("merge_pi1_pi13_r128", "One-shot RLVR: pi1 and pi13, 128 rows"),
        ("merge_pi1_pi2_pi13_pi1209_r128", "One-shot RLVR: pi1, pi2, pi13 and pi1209, 128 rows"),
        ("dsr_sub", "One-shot RLVR: DSR-sub, 1,209 DeepScaleR problems (the pool pi_i are drawn from); row 265 has an empty ground truth upstream and is skipped"),
    ];

    public static IReadOnlyList<DatasetSpec> All { get; } = Build();

    /// <summary>Every accepted name (names and aliases), for "valid names are ..." messages.</summary>
    public static IEnumerable<string> AllNames => All.SelectMany(d => d.Aliases.Prepend(d.Name));

    /// <summary>The dataset with this name or alias (case-insensitive), or null.</summary>
    public static DatasetSpec? Find(string name) =>
        All.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
            || d.Aliases.Any(a => a.Equals(name, StringComparison.OrdinalIgnoreCase)));

    private static List<DatasetSpec> Build()
    {
        var specs = new List<DatasetSpec>
        {
            EvalSet("MATH-500", "MATH-TTT", "MATH-500: 500 MATH test problems (Lightman et al. split), the paper's main benchmark"),
            EvalSet("AIME-2024", "AIME-TTT", "AIME 2024: 30 problems"),
            EvalSet("AIME-2025", "AIME2025-TTT", "AIME 2025: 30 problems (answers zero-padded to 3 digits, e.g. 070)"),
            EvalSet("AMC", "AMC-TTT", "AMC: 83 problems (answers written as floats, e.g. 142.0)"),
            new DatasetSpec(
                "DeepScaleR",
                "DeepScaleR ground truth: the five difficulty levels concatenated (ids prefixed level<n>/), closest to upstream's missing DeepScaleR/train.json",
                [],
                new Dictionary<DatasetSplit, IReadOnlyList<DatasetPart>>
                {
                    [DatasetSplit.Train] = Levels("train"),
                    [DatasetSplit.Test] = Levels("test"),
                },
                DatasetSplit.Train,
                RowKeys.Default),
        };
        for (var level = 1; level <= 5; level++)
        {
            var folder = $"DeepScaleR_Difficulty_Level_{level}";
            specs.Add(new DatasetSpec(
                folder,
                $"DeepScaleR ground truth, difficulty level {level} of 5",
                [],
                new Dictionary<DatasetSplit, IReadOnlyList<DatasetPart>>
                {
                    [DatasetSplit.Train] = [new DatasetPart($"{folder}/train.json")],
                    [DatasetSplit.Test] = [new DatasetPart($"{folder}/test.json")],
                },
                DatasetSplit.Train,
                RowKeys.Default));
        }
        foreach (var model in MajorityVoteModels)
        {
            foreach (var incorrect in new[] { false, true })
            {
                var folder = $"DeepScaleR_mv_labeled_{model}{(incorrect ? "_incorrect" : "")}";
                var what = incorrect
                    ? $"rows whose {model} majority-vote label is wrong, labelled with that wrong label"
                    : $"DeepScaleR labelled by {model}'s majority vote";
                specs.Add(new DatasetSpec(
                    folder,
                    $"{what} (first 100 rows; upstream's train.json is missing)",
                    [],
                    new Dictionary<DatasetSplit, IReadOnlyList<DatasetPart>> { [DatasetSplit.Test] = [new DatasetPart($"{folder}/test.json")] },
                    DatasetSplit.Test,
                    RowKeys.Default,
                    AllowsEmptyLabels: true));
            }
        }
        foreach (var (name, description) in OneShotSets)
        {
            specs.Add(new DatasetSpec(
                name,
                description,
                [],
                new Dictionary<DatasetSplit, IReadOnlyList<DatasetPart>> { [DatasetSplit.Train] = [new DatasetPart($"one_shot_rlvr/{name}.parquet")] },
                DatasetSplit.Train,
                RowKeys.Verl,
                SkipsInvalidRows: name == "dsr_sub"));
        }
        return specs;
    }

    private static DatasetSpec EvalSet(string name, string folder, string description) => new(
        name,
        description,
        [folder],
        new Dictionary<DatasetSplit, IReadOnlyList<DatasetPart>> { [DatasetSplit.Test] = [new DatasetPart($"{folder}/test.json")] },
        DatasetSplit.Test,
        RowKeys.Default);

    private static IReadOnlyList<DatasetPart> Levels(string split) =>
        [.. Enumerable.Range(1, 5).Select(level => new DatasetPart($"DeepScaleR_Difficulty_Level_{level}/{split}.json", $"level{level}/"))];
}
