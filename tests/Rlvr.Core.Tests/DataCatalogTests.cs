using Rlvr.Core.Data;
using Rlvr.Tests;

namespace Rlvr.Core.Tests;

/// <summary>The shipped datasets load under their names with the row counts data/SOURCE.md lists
/// (counted from the upstream files, not by this code).</summary>
public class DataCatalogTests
{
    // Several tests read the same large files (DeepScaleR is 13 MB); read each once per run.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, DatasetSplit?), Lazy<LoadedDataset>> Cache = new();

    private static LoadedDataset Load(string name, DatasetSplit? split = null) =>
        Cache.GetOrAdd((name, split), key => new Lazy<LoadedDataset>(() =>
            DatasetLoader.Load(key.Item1, new DatasetLoadOptions(key.Item2, DataDir: RepoPaths.Data())))).Value;

    [Theory]
    [InlineData("MATH-500", "test", 500)]
    [InlineData("AIME-2024", "test", 30)]
    [InlineData("AIME-2025", "test", 30)]
    [InlineData("AMC", "test", 83)]
    [InlineData("DeepScaleR", "train", 39_808)]
    [InlineData("DeepScaleR", "test", 500)]
    [InlineData("DeepScaleR_Difficulty_Level_1", "train", 7961)]
    [InlineData("DeepScaleR_Difficulty_Level_2", "train", 7962)]
    [InlineData("DeepScaleR_Difficulty_Level_3", "train", 7961)]
    [InlineData("DeepScaleR_Difficulty_Level_4", "train", 7962)]
    [InlineData("DeepScaleR_Difficulty_Level_5", "train", 7962)]
    [InlineData("DeepScaleR_Difficulty_Level_3", "test", 100)]
    [InlineData("pi1_r128", "train", 128)]
    [InlineData("pi2_r128", "train", 128)]
    [InlineData("pi13_r128", "train", 128)]
    [InlineData("pi1209_r128", "train", 128)]
    [InlineData("merge_pi1_pi13_r128", "train", 128)]
    [InlineData("merge_pi1_pi2_pi13_pi1209_r128", "train", 128)]
    public void Named_datasets_have_the_upstream_row_counts(string name, string split, int rows)
    {
        var data = Load(name, DatasetSplits.Parse(split));
        Assert.Equal(rows, data.Problems.Count);
        Assert.Empty(data.Skipped);
        Assert.All(data.Problems, p => Assert.Equal(DatasetSplits.Parse(split), p.Split));
    }

    [Fact]
    public void Every_majority_vote_set_and_its_incorrect_subset_has_100_rows()
    {
        var names = DatasetCatalog.MajorityVoteModels.SelectMany(m => new[] { $"DeepScaleR_mv_labeled_{m}", $"DeepScaleR_mv_labeled_{m}_incorrect" }).ToList();
        Assert.Equal(16, names.Count);
        foreach (var name in names)
        {
            var data = Load(name);
            Assert.Equal(DatasetSplit.Test, data.Split);
            Assert.Equal(100, data.Problems.Count);
            // These files store integer ids; they read as text.
            Assert.All(data.Problems, p => Assert.True(int.TryParse(p.Id, out _), p.Id));
        }
    }

    [Theory]
    [InlineData("DeepScaleR_mv_labeled_olmo_2_1124_7b", 24)]
    [InlineData("DeepScaleR_mv_labeled_olmo_2_1124_7b_sft_incorrect", 43)]
    [InlineData("DeepScaleR_mv_labeled_qwen2.5_math_7b_incorrect", 4)]
    [InlineData("DeepScaleR_mv_labeled_qwen2.5_math_7b", 0)]
    public void Majority_vote_sets_keep_their_empty_labels_as_upstream_trained_on_them(string name, int empty)
    {
        // Counted in the upstream files with Python (see data/README.md).
        Assert.Equal(empty, Load(name).Problems.Count(p => p.Label == ""));
    }

    [Theory]
    [InlineData("MATH-TTT", "MATH-500")]
    [InlineData("AIME-TTT", "AIME-2024")]
    [InlineData("AIME2025-TTT", "AIME-2025")]
    [InlineData("AMC-TTT", "AMC")]
    [InlineData("math-500", "MATH-500")]
    public void Upstream_folder_names_are_aliases(string alias, string name)
    {
        Assert.Equal(Load(name).Problems, Load(alias).Problems);
    }

    [Fact]
    public void Rows_keep_their_text_exactly()
    {
        // The first rows as SOURCE.md shows them (string id; AMC's float-like label; AIME-2025's zero padding).
        var math = Load("MATH-500").Problems[0];
        Assert.Equal("test/precalculus/807.json", math.Id);
        Assert.Equal("\\left( 3, \\frac{\\pi}{2} \\right)", math.Label);
        Assert.Equal("math", math.Source);
        Assert.StartsWith("Convert the point $(0,3)$ in rectangular coordinates to polar coordinates.", math.Prompt);
        Assert.Equal("142.0", Load("AMC").Problems[0].Label);
        Assert.Equal("070", Load("AIME-2025").Problems[0].Label);
        Assert.Equal("204", Load("AIME-2024").Problems[0].Label);
    }

    [Fact]
    public void DeepScaleR_concatenates_the_levels_with_level_prefixed_unique_ids()
    {
        var train = Load("DeepScaleR").Problems;
        Assert.Equal(train.Count, train.Select(p => p.Id).Distinct().Count());
        Assert.Equal("level1/0", train[0].Id);
        Assert.Equal("level5/7961", train[^1].Id);
        Assert.Equal(Load("DeepScaleR_Difficulty_Level_4").Problems.Select(p => p.Prompt), train.Where(p => p.Id.StartsWith("level4/")).Select(p => p.Prompt));
        var test = Load("DeepScaleR", DatasetSplit.Test).Problems;
        Assert.Equal("level1/7961", test[0].Id);
    }

    [Fact]
    public void The_pi1_one_shot_example_is_DeepScaleR_level4_row_7395_plus_the_verl_suffix()
    {
        var pi1 = Load("pi1_r128").Problems;
        Assert.Single(pi1.Select(p => p.Prompt).Distinct());
        Assert.All(pi1, p => Assert.Equal("12.8", p.Label));
        Assert.All(pi1, p => Assert.Equal("124", p.Id)); // extra_info.index
        Assert.All(pi1, p => Assert.Equal("deepscaler", p.Source));
        var row = Load("DeepScaleR_Difficulty_Level_4").Problems.Single(p => p.Id == "7395");
        Assert.Equal(row.Prompt + " Let's think step by step and output the final answer within \\boxed{}.", pi1[0].Prompt);
        Assert.Equal(row.Label, pi1[0].Label);
    }

    [Fact]
    public void Merged_one_shot_files_hold_the_named_examples()
    {
        Assert.Equal(["12.8", "\\frac{4}{3}"], Load("merge_pi1_pi13_r128").Problems.Select(p => p.Label).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(4, Load("merge_pi1_pi2_pi13_pi1209_r128").Problems.Select(p => p.Prompt).Distinct().Count());
    }

    [Fact]
    public void Dsr_sub_loads_its_1209_rows_less_the_one_without_a_label_which_is_counted()
    {
        var dsr = Load("dsr_sub");
        Assert.Equal(1208, dsr.Problems.Count);
        var skipped = Assert.Single(dsr.Skipped);
        Assert.EndsWith("dsr_sub.parquet: row 265: key 'reward_model.ground_truth' is empty", skipped);
    }

    [Fact]
    public void An_unknown_name_fails_in_one_line_listing_the_valid_names()
    {
        var e = Assert.Throws<DatasetException>(() => Load("MATH-5000"));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("unknown dataset 'MATH-5000'", e.Message);
        foreach (var name in new[] { "MATH-500", "AIME-2024", "AIME-2025", "AMC", "DeepScaleR", "pi1_r128", "MATH-TTT", "DeepScaleR_mv_labeled_qwen2.5_math_7b_incorrect" })
        {
            Assert.Contains(name, e.Message);
        }
    }

    [Fact]
    public void A_split_the_dataset_lacks_is_named_with_the_available_ones()
    {
        var e = Assert.Throws<DatasetException>(() => Load("MATH-500", DatasetSplit.Train));
        Assert.Equal("dataset MATH-500 has no train split (available: test)", e.Message);
    }

    [Fact]
    public void The_data_folder_is_found_from_the_binary_and_a_missing_explicit_folder_is_named()
    {
        Assert.Equal(Path.GetFullPath(RepoPaths.Data()), DataDirectory.Resolve(RepoPaths.Data()));
        var e = Assert.Throws<DatasetException>(() => DataDirectory.Resolve("/no/such/folder"));
        Assert.Equal("--data-dir /no/such/folder: folder not found", e.Message);
        if (Environment.GetEnvironmentVariable(DataDirectory.EnvironmentVariable) == null)
        {
            Assert.Equal(Path.GetFullPath(RepoPaths.Data()), DataDirectory.Resolve());
        }
    }
}
