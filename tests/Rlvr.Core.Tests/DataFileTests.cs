using Rlvr.Core.Data;
using Rlvr.Tests;

namespace Rlvr.Core.Tests;

/// <summary>Local files in every supported format, and the one-line errors for malformed ones.</summary>
public sealed class DataFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rlvr-data-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static DatasetException Fails(string path, DatasetLoadOptions? options = null)
    {
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(path, options));
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        return e;
    }

    [Fact]
    public void A_json_array_with_mixed_id_types_loads()
    {
        var path = Write("a.json", """[{"prompt": "1+1?", "answer": "2", "id": 7}, {"prompt": "2+2?", "answer": 4, "id": "x"}, {"prompt": "3+3?", "answer": "6"}]""");
        var data = DatasetLoader.Load(path);
        Assert.Equal(
            [new Problem("7", "1+1?", "2", "a", DatasetSplit.Train), new Problem("x", "2+2?", "4", "a", DatasetSplit.Train), new Problem("2", "3+3?", "6", "a", DatasetSplit.Train)],
            data.Problems);
    }

    [Fact]
    public void Json_lines_with_custom_and_dotted_keys_load()
    {
        var path = Write("q.jsonl", "{\"question\": \"What is 1/2 + 1/2?\", \"meta\": {\"gold\": \"1\"}, \"source\": \"mine\"}\n\n{\"question\": \"Q2\", \"meta\": {\"gold\": \"2.50\"}}\n");
        var data = DatasetLoader.Load(path, new DatasetLoadOptions(DatasetSplit.Test, new RowKeys("question", "meta.gold")));
        Assert.Equal(
            [new Problem("0", "What is 1/2 + 1/2?", "1", "mine", DatasetSplit.Test), new Problem("1", "Q2", "2.50", "q", DatasetSplit.Test)],
            data.Problems);
    }

    [Fact]
    public void A_folder_with_train_and_test_files_reads_train_by_default()
    {
        Write("set/train.json", """[{"prompt": "p0", "answer": "a0"}]""");
        Write("set/test.jsonl", """{"prompt": "t0", "answer": "b0"}""");
        var folder = Path.Combine(_dir, "set");
        Assert.Equal("p0", DatasetLoader.Load(folder).Problems.Single().Prompt);
        Assert.Equal("t0", DatasetLoader.Load(folder, new DatasetLoadOptions(DatasetSplit.Test)).Problems.Single().Prompt);
    }

    [Fact]
    public void A_verl_parquet_file_loads_by_path_with_dotted_keys()
    {
        var data = DatasetLoader.Load(RepoPaths.Data("one_shot_rlvr", "pi2_r128.parquet"), new DatasetLoadOptions(Keys: RowKeys.Verl));
        Assert.Equal(128, data.Problems.Count);
        // SOURCE.md: pi2 is "How many positive divisors do 9240 and 13860 have in common?", answer 24.
        Assert.StartsWith("How many positive divisors do 9240 and 13860 have in common?", data.Problems[0].Prompt);
        Assert.Equal("24", data.Problems[0].Label);
    }

    [Fact]
    public void A_parquet_file_without_the_label_key_names_the_keys_it_has()
    {
        var path = RepoPaths.Data("one_shot_rlvr", "pi2_r128.parquet");
        var e = Fails(path);
        Assert.Equal($"{path}: row 0: missing key 'answer' (keys present: data_source, prompt, ability, reward_model, extra_info)", e.Message);
    }

    [Fact]
    public void A_missing_key_names_file_and_row()
    {
        var path = Write("m.json", """[{"prompt": "p", "answer": "1"}, {"prompt": "q", "id": "5"}]""");
        Assert.Equal($"{path}: row 1: missing key 'answer' (keys present: prompt, id)", Fails(path).Message);
    }

    [Fact]
    public void An_empty_key_names_file_and_row()
    {
        var path = Write("e.jsonl", "{\"prompt\": \"p\", \"answer\": \"1\"}\n{\"prompt\": \"  \", \"answer\": \"1\"}\n");
        Assert.Equal($"{path}: row 1 (line 2): key 'prompt' is empty", Fails(path).Message);
    }

    [Theory]
    [InlineData("""[{"prompt": 12, "answer": "1"}]""", "row 0: key 'prompt' is a number; expected a string or a list of chat messages")]
    [InlineData("""[{"prompt": "p", "answer": ["1"]}]""", "row 0: key 'answer' is a list; expected a string or a number")]
    [InlineData("""[{"prompt": "p", "answer": true}]""", "row 0: key 'answer' is a boolean; expected a string or a number")]
    [InlineData("""[{"prompt": "p", "answer": "1", "id": {"n": 1}}]""", "row 0: key 'id' is an object; expected a string or a number")]
    [InlineData("""[{"prompt": "p", "answer": "1"}, "just text"]""", "row 1: is a string; expected an object with keys 'prompt' and 'answer'")]
    public void A_wrong_type_names_file_row_and_expectation(string json, string expected)
    {
        var path = Write("t.json", json);
        Assert.Equal($"{path}: {expected}", Fails(path).Message);
    }

    [Fact]
    public void A_truncated_json_array_names_the_row_where_it_broke()
    {
        var path = Write("cut.json", "[\n  {\"prompt\": \"p0\", \"answer\": \"0\"},\n  {\"prompt\": \"p1\", \"answer\": \"1\"},\n  {\"prompt\": \"p2\", \"ans");
        Assert.StartsWith($"{path}: row 2: invalid or truncated JSON at line 4", Fails(path).Message);
    }

    [Fact]
    public void A_json_array_cut_between_rows_is_reported_as_truncated()
    {
        var path = Write("cut2.json", "[{\"prompt\": \"p0\", \"answer\": \"0\"},");
        Assert.StartsWith($"{path}: row 1: ", Fails(path).Message);
    }

    [Fact]
    public void A_truncated_json_lines_row_names_row_and_line()
    {
        var path = Write("cut.jsonl", "{\"prompt\": \"p0\", \"answer\": \"0\"}\n\n{\"prompt\": \"p1\", \"ans");
        Assert.StartsWith($"{path}: row 1 (line 3): invalid or truncated JSON", Fails(path).Message);
    }

    [Fact]
    public void A_file_that_is_not_json_names_what_was_expected()
    {
        var path = Write("x.json", "prompt,answer\n1+1,2\n");
        Assert.Equal($"{path}: starts with 'p'; expected a JSON array ('['), JSON Lines ('{{') or a .parquet file", Fails(path).Message);
    }

    [Fact]
    public void A_corrupt_parquet_file_fails_in_one_line()
    {
        var path = Write("bad.parquet", "PAR1 not really");
        Assert.StartsWith($"{path}: not a readable Parquet file", Fails(path).Message);
    }

    [Fact]
    public void Skip_invalid_skips_and_counts_bad_rows()
    {
        var path = Write("s.json", """[{"prompt": "p0", "answer": "0"}, {"prompt": "p1"}, {"prompt": "", "answer": "2"}, {"prompt": "p3", "answer": "3"}]""");
        var data = DatasetLoader.Load(path, new DatasetLoadOptions(SkipInvalid: true));
        Assert.Equal(["p0", "p3"], data.Problems.Select(p => p.Prompt));
        Assert.Equal(["0", "3"], data.Problems.Select(p => p.Id));
        Assert.Equal([$"{path}: row 1: missing key 'answer' (keys present: prompt)", $"{path}: row 2: key 'prompt' is empty"], data.Skipped);
    }

    [Fact]
    public void Skip_invalid_does_not_hide_broken_json()
    {
        var path = Write("b.json", "[{\"prompt\": \"p0\", \"answer\": \"0\"}, {\"prompt\"");
        Fails(path, new DatasetLoadOptions(SkipInvalid: true));
    }

    [Fact]
    public void A_folder_without_split_files_is_named()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        var folder = Path.Combine(_dir, "empty");
        Assert.Equal($"{folder}: no train.json/test.json (or .jsonl/.parquet) in this folder", Fails(folder).Message);
    }

    [Fact]
    public void Repeat_fills_the_batch_cycling_through_the_examples()
    {
        var a = new Problem("a", "pa", "1", "s", DatasetSplit.Train);
        var b = new Problem("b", "pb", "2", "s", DatasetSplit.Train);
        Assert.Equal([a, b, a, b, a], OneShot.Repeat([a, b], 5));
        Assert.Equal(Enumerable.Repeat(a, 128), OneShot.Repeat([a], 128));
        Assert.Throws<DatasetException>(() => OneShot.Repeat([], 3));
        Assert.Throws<DatasetException>(() => OneShot.Repeat([a], 0));
    }

    [Fact]
    public void Select_picks_the_one_shot_example_by_id()
    {
        var level4 = DatasetLoader.Load("DeepScaleR_Difficulty_Level_4", new DatasetLoadOptions(DataDir: RepoPaths.Data())).Problems;
        var pi1 = OneShot.Select(level4, ["7395"]).Single();
        Assert.Equal("12.8", pi1.Label);
        Assert.Contains("sail", pi1.Prompt);
        var e = Assert.Throws<DatasetException>(() => OneShot.Select(level4, ["nope"]));
        Assert.Equal("--id nope: no row with this id in the dataset", e.Message);
    }
}
