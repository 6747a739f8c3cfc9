using Rlvr.Core.Data;
using Rlvr.Core.Voting;
using Rlvr.Grading;

namespace Rlvr.Core.Tests;

/// <summary>
/// A stand-in grader for testing the voting logic alone: the answer is the content of the last
/// \boxed{...}; two answers are equivalent when a fixed table maps them to the same value (else when
/// equal). It counts equivalence calls. The real graders are tested in VotingGraderTests.
/// </summary>
internal sealed class TableGrader(IReadOnlyDictionary<string, string>? canonical = null) : IAnswerGrader
{
    public int EquivalenceCalls { get; private set; }

    public GraderMode Mode => GraderMode.Verify;

    public GradeResult Grade(string response, string gold)
    {
        var extracted = Extract(response);
        return new GradeResult(extracted != null && AnswersEquivalent(extracted, gold), extracted, false);
    }

    public string? Extract(string response)
    {
        var start = response.LastIndexOf("\\boxed{", StringComparison.Ordinal);
        if (start < 0) return null;
        var depth = 0;
        for (var i = start + 6; i < response.Length; i++)
        {
            if (response[i] == '{') depth++;
            else if (response[i] == '}' && --depth == 0) return response[(start + 7)..i];
        }
        return null;
    }

    public bool AnswersEquivalent(string first, string second)
    {
        EquivalenceCalls++;
        return Canon(first) == Canon(second);
    }

    private string Canon(string answer) => canonical != null && canonical.TryGetValue(answer, out var value) ? value : answer;
}

public sealed class VotingTests : IDisposable
{
    private static readonly Dictionary<string, string> Halves = new()
    {
        ["0.5"] = "half", ["\\frac{1}{2}"] = "half", ["1/2"] = "half",
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("rlvr-voting-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Boxed(string answer) => $"Some reasoning... so the answer is $\\boxed{{{answer}}}$.";

    [Fact]
    public void Equivalent_forms_vote_together_and_beat_a_larger_string_plurality()
    {
        // "3" is the most frequent string (2) but the three forms of one half are one answer (3 votes).
        var vote = MajorityVote.Vote([Boxed("0.5"), Boxed("3"), Boxed("\\frac{1}{2}"), Boxed("3"), Boxed("1/2")], new TableGrader(Halves));
        Assert.Equal("0.5", vote.Label); // forms tie 1-1-1: the first seen names the group
        Assert.Equal([3, 2], vote.Groups.Select(g => g.Votes));
        Assert.Equal([("0.5", 1), ("\\frac{1}{2}", 1), ("1/2", 1)], vote.Groups[0].Forms);
        Assert.Equal(5, vote.Samples);
        Assert.Equal(5, vote.Answered);
        Assert.Equal(0.2, vote.Margin, 12); // (3 - 2) / 5
    }

    [Fact]
    public void The_label_is_the_most_frequent_form_in_the_winning_group()
    {
        var vote = MajorityVote.VoteOnAnswers(["1/2", "0.5", "7", "0.5"], new TableGrader(Halves).AnswersEquivalent);
        Assert.Equal("0.5", vote.Label);
        Assert.Equal(0, vote.Groups[0].FirstSample);
    }

    [Theory]
    [InlineData(new[] { "7", "8", "8", "7" }, "7")]
    [InlineData(new[] { "8", "7", "7", "8" }, "8")]
    [InlineData(new[] { "5", "9", "7", "7", "9" }, "9")] // 9 and 7 tie at 2; 9 was seen first
    public void Ties_go_to_the_answer_seen_first(string[] answers, string expected)
    {
        var vote = MajorityVote.VoteOnAnswers(answers, (a, b) => a == b);
        Assert.Equal(expected, vote.Label);
        Assert.Equal(0, vote.Margin);
    }

    [Fact]
    public void Empty_or_missing_answers_do_not_vote_but_count_in_k()
    {
        var vote = MajorityVote.VoteOnAnswers([null, "", " ", "5"], (a, b) => a == b);
        Assert.Equal("5", vote.Label);
        Assert.Equal(4, vote.Samples);
        Assert.Equal(1, vote.Answered);
        Assert.Equal(0.25, vote.Margin, 12);
        var none = MajorityVote.VoteOnAnswers([null, ""], (a, b) => a == b);
        Assert.Null(none.Label);
        Assert.Empty(none.Groups);
        Assert.Equal(0, none.Margin);
    }

    [Fact]
    public void Identical_strings_do_not_call_the_grader_again()
    {
        var grader = new TableGrader();
        MajorityVote.VoteOnAnswers(Enumerable.Repeat("42", 64).Append("41").ToList(), grader.AnswersEquivalent);
        Assert.Equal(1, grader.EquivalenceCalls); // only "41" vs "42"
    }

    private static readonly Problem[] Problems =
    [
        new("p1", "What is 1/2?", "1/2", "t", DatasetSplit.Train),
        new("p2", "What is 1+2?", "3", "t", DatasetSplit.Train),
        new("p3", "What is 5+5?", "10", "t", DatasetSplit.Train),
        new("p4", "What is 2+2?", "4", "t", DatasetSplit.Train),
    ];

    private static readonly Sample[] Samples =
    [
        new("p1", Boxed("0.5"), 1), new("p2", Boxed("4"), 2), new("p1", Boxed("\\frac{1}{2}"), 3),
        new("p1", Boxed("2"), 4), new("p2", Boxed("4"), 5), new("p1", "I give up", 6),
        new("p2", Boxed("3"), 7), new("p3", "nothing", 8), new("p3", "none", 9),
    ];

    [Fact]
    public void Labeling_joins_samples_by_id_and_reports_accuracy_and_margins()
    {
        var result = MajorityLabeler.Label(Problems, Samples, new TableGrader(Halves), "s.jsonl", "toy");
        // p1: {0.5, \frac12} 2 votes vs {2} 1 of k=4 -> label 0.5, correct, margin 0.25, 2/4 samples correct.
        // p2: {4} 2 vs {3} 1 of k=3 -> label 4, wrong, margin 1/3, 1/3 correct. p3: no answer. p4: no samples.
        Assert.Equal([Problems[0] with { Label = "0.5" }, Problems[1] with { Label = "4" }], result.Labeled);
        Assert.Equal([Problems[1] with { Label = "4" }], result.Incorrect);
        var s = result.Summary;
        Assert.Equal((4, 1, 1, 2, 1, 1, 9, 0), (s.Problems, s.WithoutSamples, s.WithoutAnswer, s.Labeled, s.Correct, s.Incorrect, s.Samples, s.Ties));
        Assert.Equal(0.5, s.LabelAccuracy, 12);
        Assert.Equal((0.5 + 1.0 / 3) / 2, s.MeanSampleAccuracy, 12);
        Assert.Equal((0.25 + 1.0 / 3) / 2, s.MeanMargin, 12);
        Assert.Equal([0, 0, 1, 1, 0, 0, 0, 0, 0, 0], s.MarginHistogram);
    }

    [Fact]
    public void Ties_are_counted_and_land_in_the_zero_margin_bucket_while_unanimity_fills_the_last()
    {
        // q1: "7" vs "8", one vote each -> tie, label 7 (seen first), correct, margin 0, half the samples right.
        // q2: "4" three times -> margin 1.0, which belongs to the closed last bucket [0.9, 1.0].
        Problem[] problems = [new("q1", "?", "7", "t", DatasetSplit.Train), new("q2", "?", "4", "t", DatasetSplit.Train)];
        Sample[] samples = [new("q1", Boxed("7"), 1), new("q2", Boxed("4"), 2), new("q1", Boxed("8"), 3), new("q2", Boxed("4"), 4), new("q2", Boxed("4"), 5)];
        var s = MajorityLabeler.Label(problems, samples, new TableGrader(), "s.jsonl", "toy").Summary;
        Assert.Equal((2, 2, 0, 1), (s.Labeled, s.Correct, s.Incorrect, s.Ties));
        Assert.Equal(0.75, s.MeanSampleAccuracy, 12);
        Assert.Equal(0.5, s.MeanMargin, 12);
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], s.MarginHistogram);
    }

    [Fact]
    public void A_sample_for_an_unknown_id_names_file_and_line()
    {
        var e = Assert.Throws<DatasetException>(() => MajorityLabeler.Label(Problems, [.. Samples, new Sample("p9", "x", 12)], new TableGrader(), "s.jsonl", "toy"));
        Assert.Equal("s.jsonl: line 12: id 'p9' is not in dataset toy", e.Message);
    }

    [Fact]
    public void Duplicate_dataset_ids_are_refused()
    {
        var e = Assert.Throws<DatasetException>(() => MajorityLabeler.Label([Problems[0], Problems[0]], [], new TableGrader(), "s.jsonl", "toy"));
        Assert.Equal("toy: id 'p1' appears twice; samples are matched by id, so ids must be unique", e.Message);
    }

    [Fact]
    public void Written_label_folders_load_back_as_datasets()
    {
        var result = MajorityLabeler.Label(Problems, Samples, new TableGrader(Halves), "s.jsonl", "toy");
        var written = LabelWriter.Write(result, _dir, "toy_mv_labeled", testRows: 1, "toy", "verify");
        Assert.Equal(6, written.Count);
        Assert.All(written, p => Assert.True(File.Exists(p), p));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));

        var labeled = Path.Combine(_dir, "toy_mv_labeled");
        Assert.Equal([new Problem("p1", "What is 1/2?", "0.5", "toy_mv_labeled", DatasetSplit.Test)], DatasetLoader.Load(labeled, new DatasetLoadOptions(DatasetSplit.Test)).Problems);
        Assert.Equal([new Problem("p2", "What is 1+2?", "4", "toy_mv_labeled", DatasetSplit.Train)], DatasetLoader.Load(labeled).Problems);
        var incorrect = Path.Combine(_dir, "toy_mv_labeled_incorrect");
        Assert.Equal([new Problem("p2", "What is 1+2?", "4", "toy_mv_labeled_incorrect", DatasetSplit.Test)], DatasetLoader.Load(incorrect, new DatasetLoadOptions(DatasetSplit.Test)).Problems);
        Assert.Empty(DatasetLoader.Load(incorrect).Problems);

        var votes = File.ReadAllLines(Path.Combine(_dir, "toy_mv_labeled_votes.jsonl"));
        Assert.Equal(3, votes.Length); // p1, p2, p3 (p3 without a label)
        Assert.Contains("\"label\":\"0.5\"", votes[0]);
        Assert.Contains("\"label\":null", votes[2]);
        var report = File.ReadAllText(Path.Combine(_dir, "toy_mv_labeled_report.json"));
        Assert.Contains("\"label_accuracy\": 0.5", report);
    }

    private string WriteSamples(string text)
    {
        var path = Path.Combine(_dir, "s.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Samples_read_with_string_or_integer_ids()
    {
        var path = WriteSamples("{\"id\": 64, \"response\": \"a\"}\n\n{\"id\": \"level1/0\", \"response\": \"\"}\n");
        Assert.Equal([new Sample("64", "a", 1), new Sample("level1/0", "", 3)], SampleReader.Read(path));
    }

    [Theory]
    [InlineData("{\"id\": 1}", "line 1: missing key 'response'")]
    [InlineData("{\"response\": \"x\"}", "line 1: missing key 'id'")]
    [InlineData("{\"id\": [1], \"response\": \"x\"}", "line 1: key 'id' is a list; expected a string or a number")]
    [InlineData("{\"id\": 1, \"response\": 5}", "line 1: key 'response' is a number; expected a string")]
    [InlineData("{\"id\": 1, \"response\": \"x\"}\n{\"id\": 2, \"resp", "line 2: invalid or truncated JSON at byte")]
    [InlineData("[1, 2]", "line 1: is a list; expected {\"id\": ..., \"response\": \"...\"}")]
    public void Malformed_samples_name_file_and_line(string text, string expected)
    {
        var path = WriteSamples(text);
        var e = Assert.Throws<DatasetException>(() => SampleReader.Read(path));
        Assert.StartsWith($"{path}: {expected}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
