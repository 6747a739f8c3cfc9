using Rlvr.Core.Analysis;
using Rlvr.Core.Evaluation;
using Rlvr.Core.Reporting;

namespace Rlvr.Core.Tests;

/// <summary>Table 1 (code frequency), Table 2 (transitions) and run comparison on handmade result files; charts render.</summary>
public sealed class AnalysisTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rlvr-analysis-" + Guid.NewGuid().ToString("N"));

    public AnalysisTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Nine problems, one greedy response each. (C = code, L = language; ✓/✗ = correct.)
    //   p1 C✗→C✓  p2 C✓→C✓  p3 L✗→C✓  p4 L✗→C✓  p5 L✓→C✗  p6 C✗→L✓  p7 L✗→L✓  p8 L✓→L✓  p9 L✗→C✓
    private static readonly (bool Code, bool Correct)[] Before =
        [(true, false), (true, true), (false, false), (false, false), (false, true), (true, false), (false, false), (false, true), (false, false)];
    private static readonly (bool Code, bool Correct)[] After =
        [(true, true), (true, true), (true, true), (true, true), (true, false), (false, true), (false, true), (false, true), (true, true)];

    /// <summary>Writes a result file by hand (the JSON a person or another tool would write), not through the evaluator.</summary>
    private string HandmadeFile(string name, string model, (bool Code, bool Correct)[] responses)
    {
        var problems = responses.Select((r, i) =>
            $$"""
            {"index": {{i}}, "id": "p{{i + 1}}", "problem": "q{{i + 1}}", "label": "1",
             "samples": [{"response": "{{(r.Code ? "```python\\nprint(1)\\n```" : "By algebra")}} \\boxed{1}", "extracted": "1",
                          "correct": {{(r.Correct ? "true" : "false")}}, "has_code": {{(r.Code ? "true" : "false")}},
                          "prompt_tokens": 10, "completion_tokens": 20, "finish": "stop"}]}
            """);
        var json = $$"""
            {"run": {"model": "{{model}}", "dataset": "MATH-500", "grader": "paper", "template": "qwen-math", "samples": 1,
                     "temperature": 0, "top_p": 1, "max_new_tokens": 3072, "shards": 4, "seed": 0,
                     "problem_prefix": "", "problem_suffix": "", "response_prefix": "", "stop_strings": []},
             "problems": [{{string.Join(",\n", problems)}}]}
            """;
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void TransitionsTableOfTwoHandmadeFiles()
    {
        var before = EvalJson.ReadResult(HandmadeFile("base_MATH-500.json", "base", Before));
        var after = EvalJson.ReadResult(HandmadeFile("rl_MATH-500.json", "rl", After));
        var table = TransitionAnalysis.Analyze(before, after);

        Assert.Equal(9, table.Pairs);
        Assert.Equal(3.0 / 9, table.AccuracyBefore, 12);   // p2, p5, p8
        Assert.Equal(8.0 / 9, table.AccuracyAfter, 12);    // all but p5
        Assert.Equal(100 * 5.0 / 9, table.GainPoints, 9);
        var rows = table.Rows.ToDictionary(r => r.Transition);
        // code→code: p1 (+1), p2 (0); code→lang: p6 (+1); lang→code: p3 (+1), p4 (+1), p5 (−1), p9 (+1); lang→lang: p7 (+1), p8 (0). Net total 5.
        Assert.Equal((2, 1), (rows[ReasoningTransition.CodeToCode].Responses, rows[ReasoningTransition.CodeToCode].NetGain));
        Assert.Equal((1, 1), (rows[ReasoningTransition.CodeToLanguage].Responses, rows[ReasoningTransition.CodeToLanguage].NetGain));
        Assert.Equal((4, 2), (rows[ReasoningTransition.LanguageToCode].Responses, rows[ReasoningTransition.LanguageToCode].NetGain));
        Assert.Equal((2, 1), (rows[ReasoningTransition.LanguageToLanguage].Responses, rows[ReasoningTransition.LanguageToLanguage].NetGain));
        Assert.Equal(0.2, rows[ReasoningTransition.CodeToCode].Share!.Value, 12);
        Assert.Equal(0.2, rows[ReasoningTransition.CodeToLanguage].Share!.Value, 12);
        Assert.Equal(0.4, rows[ReasoningTransition.LanguageToCode].Share!.Value, 12);
        Assert.Equal(0.2, rows[ReasoningTransition.LanguageToLanguage].Share!.Value, 12);
    }

    [Fact]
    public void RunFoldersArePairedByDataset()
    {
        var baseDir = Directory.CreateDirectory(Path.Combine(_dir, "base-run")).FullName;
        var rlDir = Directory.CreateDirectory(Path.Combine(_dir, "rl-run")).FullName;
        File.Move(HandmadeFile("b.json", "base", Before), Path.Combine(baseDir, "base_MATH-500.json"));
        File.Move(HandmadeFile("a.json", "rl", After), Path.Combine(rlDir, "rl_MATH-500.json"));
        File.WriteAllText(Path.Combine(rlDir, "summary.json"), "{}");  // skipped: not a result file
        var pairs = ResultFiles.PairByDataset(ResultFiles.Read(baseDir), ResultFiles.Read(rlDir));
        var (before, after) = Assert.Single(pairs);
        Assert.Equal(("base", "rl"), (before.Run.Model, after.Run.Model));
        Assert.Throws<FileNotFoundException>(() => ResultFiles.Read(Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName));
    }

    [Fact]
    public void TransitionsRefuseDifferentProblemSets()
    {
        var before = EvalJson.ReadResult(HandmadeFile("a.json", "a", Before));
        var after = EvalJson.ReadResult(HandmadeFile("b.json", "b", After[..8]));
        var message = Assert.Throws<ArgumentException>(() => TransitionAnalysis.Analyze(before, after)).Message;
        Assert.Contains("different problems", message);
        Assert.Contains("models a and b", message);  // which two results, when several folders are paired
    }

    [Fact]
    public void CodeFrequencyTableOfAHandmadeFile()
    {
        var row = CodeFrequencyAnalysis.Analyze(EvalJson.ReadResult(HandmadeFile("base_MATH-500.json", "base", Before)));
        Assert.Equal(9, row.Responses);
        Assert.Equal(3.0 / 9, row.CodeFrequency, 12);            // p1, p2, p6
        Assert.Equal(1.0 / 3, row.AccuracyWithCode!.Value, 12);   // p2 of p1, p2, p6
        Assert.Equal(2.0 / 6, row.AccuracyWithoutCode!.Value, 12); // p5, p8 of six
        Assert.Equal(3.0 / 9, row.Accuracy, 12);
    }

    [Fact]
    public void NotAResultFileFailsNamingTheFile()
    {
        var path = Path.Combine(_dir, "broken.json");
        File.WriteAllText(path, "{\"run\": ");
        Assert.Contains("broken.json", Assert.Throws<FormatException>(() => EvalJson.ReadResult(path)).Message);
        File.WriteAllText(path, "{\"run\": {\"model\": \"m\", \"dataset\": \"d\"}, \"problems\": [{\"id\": \"1\"}]}");
        Assert.Contains("problem 0 needs an id and samples", Assert.Throws<FormatException>(() => EvalJson.ReadResult(path)).Message);
    }

    [Fact]
    public void CompareLinesRunsUpAgainstTheFirst()
    {
        var runs = new[]
        {
            new RunScores("base", new Dictionary<string, (double, double, int)> { ["MATH-500"] = (0.494, 0.494, 1), ["AMC"] = (0.30, 0.60, 8) }),
            new RunScores("random", new Dictionary<string, (double, double, int)> { ["MATH-500"] = (0.708, 0.708, 1) }),
            new RunScores("gt", new Dictionary<string, (double, double, int)> { ["MATH-500"] = (0.785, 0.785, 1), ["AMC"] = (0.55, 0.80, 8) }),
        };
        var table = RunComparison.Compare(runs);
        Assert.Equal(["MATH-500", "AMC"], table.Datasets);
        Assert.Equal(21.4, table.GainPoints(1, "MATH-500")!.Value, 9);
        Assert.Equal(29.1, table.GainPoints(2, "MATH-500")!.Value, 9);
        Assert.Null(table.GainPoints(1, "AMC"));
        Assert.Equal(25.0, table.GainPoints(2, "AMC")!.Value, 9);
        Assert.Equal((0.785 + 0.55) / 2, table.Average(2)!.Value, 12);
    }

    [Fact]
    public void CompareLoadsRunFoldersWithResultFiles()
    {
        var baseDir = Directory.CreateDirectory(Path.Combine(_dir, "base")).FullName;
        File.Move(HandmadeFile("x.json", "base", Before), Path.Combine(baseDir, "base_MATH-500.json"));
        // The handmade file has no metrics block: they are computed from its responses on reading.
        var run = RunComparison.Load(baseDir);
        Assert.Equal("base", run.Name);
        Assert.Equal(3.0 / 9, run.Datasets["MATH-500"].AvgAtK, 12);
        Assert.Throws<FileNotFoundException>(() => RunComparison.Load(Path.Combine(_dir, "missing")));
    }

    [Fact]
    public void ChartsWritePngFiles()
    {
        var bars = Path.Combine(_dir, "gains.png");
        Charts.GroupedBarChart(bars, "MATH-500 gain over base", "points", ["MATH-500", "AMC"],
            [new BarSeries("random", [21.4, null]), new BarSeries("gt", [29.1, 25.0])]);
        var line = Path.Combine(_dir, "reward.png");
        Charts.LinePlot(line, "reward", "step", "mean reward", [new LineSeries("train", [0, 1, 2, 3], [0.1, 0.3, 0.2, 0.5])]);
        foreach (var png in new[] { bars, line })
        {
            var head = File.ReadAllBytes(png)[..8];
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
            Assert.True(new FileInfo(png).Length > 5_000);  // a drawn chart, not an empty canvas
        }
        Assert.Empty(Directory.GetFiles(_dir, ".*"));  // no temp files left
        Assert.Throws<ArgumentException>(() => Charts.LinePlot(line, "t", "x", "y", [new LineSeries("bad", [0, 1], [1])]));
    }

    [Fact]
    public void Eval_curve_final_value_is_smoothed_over_the_last_ten_steps()
    {
        // AMC@8 at every step 0..12 with avg@8 = step / 100; MATH-500@1 only at steps 0, 6 and 12.
        var entries = Enumerable.Range(0, 13).Select(step => new SnapshotEvalEntry(step,
            [new SnapshotSetResult("AMC@8", 8, 0.6, step / 100.0, 0, 0, 83),
             .. step % 6 == 0 ? new[] { new SnapshotSetResult("MATH-500@1", 1, 0, 0.5 + step / 100.0, 0, 0, 500) } : []], 0)).ToArray();
        var points = EvalCurveSummary.Summarize(entries.Reverse().ToArray());   // file order does not matter
        // AMC: steps 3..12 -> (0.03 + ... + 0.12) / 10 = 0.075; MATH-500: steps 6 and 12 -> (0.56 + 0.62) / 2 = 0.59
        Assert.Equal(["AMC@8", "MATH-500@1"], points.Select(p => p.Set));
        Assert.Equal((8, 12, 0.12, 10), (points[0].K, points[0].FinalStep, points[0].Final, points[0].Entries));
        Assert.Equal(0.075, points[0].Smoothed, 12);
        Assert.Equal((12, 0.62, 2), (points[1].FinalStep, points[1].Final, points[1].Entries));
        Assert.Equal(0.59, points[1].Smoothed, 12);
        Assert.Equal(0.12, EvalCurveSummary.Summarize(entries, window: 1)[0].Smoothed, 12);
    }
}
