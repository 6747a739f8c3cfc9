using System.Text.Json;
using Rlvr.Core.Grading;
using Rlvr.Grading;

namespace Rlvr.Core.Tests;

/// <summary>The library behind <c>rlvr grade --file</c>.</summary>
public sealed class JsonlGradeJobTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rlvr-grade-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // A generous time limit: these tests assert verdicts, and on a loaded 2-core CI machine the first
    // (JIT-compiling) grade call can exceed the default 250 ms and read as "incorrect".
    private static IAnswerGrader PaperGrader() =>
        Graders.Create(GraderMode.Paper, GradeOptions.Default with { TimeLimit = TimeSpan.FromSeconds(10) });

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Writes_every_line_back_with_correct_and_extracted()
    {
        var input = Write("in.jsonl",
            """{"id": 1, "gold": "\\frac{1}{2}", "prediction": "So it is \\boxed{0.5}."}""",
            "",
            """{"id": 2, "gold": "025", "prediction": "The answer is 26."}""",
            """{"id": 3, "gold": 142.0, "prediction": "\\boxed{142}"}""");
        var output = Path.Combine(_folder, "out.jsonl");

        var summary = JsonlGradeJob.Run(input, output, PaperGrader());

        Assert.Equal((3, 2, 0), (summary.Count, summary.Correct, summary.TimedOut));
        var rows = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal([1, 2, 3], rows.Select(r => r.GetProperty("id").GetInt32()));
        Assert.Equal([true, false, true], rows.Select(r => r.GetProperty("correct").GetBoolean()));
        Assert.Equal(["0.5", "26", "142"], rows.Select(r => r.GetProperty("extracted").GetString()));
        Assert.Equal(@"\frac{1}{2}", rows[0].GetProperty("gold").GetString()); // input fields kept as they were
    }

    [Fact]
    public void Custom_keys_are_honoured()
    {
        var input = Write("in.jsonl", """{"answer": "7", "response": "\\boxed{7}"}""");
        var output = Path.Combine(_folder, "out.jsonl");
        var summary = JsonlGradeJob.Run(input, output, PaperGrader(), goldKey: "answer", predictionKey: "response");
        Assert.Equal(1, summary.Correct);
    }

    [Theory]
    [InlineData("""{"gold": "1", "prediction": "1"}""", "{not json", 2)]
    [InlineData("""{"gold": "1", "prediction": "1"}""", """{"gold": "1"}""", 2)]
    [InlineData("""[1, 2]""", """{"gold": "1", "prediction": "1"}""", 1)]
    [InlineData("""{"gold": {"a": 1}, "prediction": "1"}""", """{"gold": "1", "prediction": "1"}""", 1)]
    public void A_malformed_line_fails_with_its_number_and_leaves_no_output(string first, string second, int badLine)
    {
        var input = Write("in.jsonl", first, second);
        var output = Path.Combine(_folder, "out.jsonl");

        var error = Assert.Throws<InvalidDataException>(() => JsonlGradeJob.Run(input, output, PaperGrader()));

        Assert.Contains($"in.jsonl:{badLine}:", error.Message);
        Assert.False(File.Exists(output));
        Assert.Equal(["in.jsonl"], Directory.GetFiles(_folder).Select(Path.GetFileName)); // no temporary file either
    }

    [Fact]
    public void A_failed_run_keeps_an_earlier_output_intact()
    {
        var output = Write("out.jsonl", "previous");
        var input = Write("in.jsonl", """{"gold": "1", "prediction": "1"}""", "oops");
        Assert.Throws<InvalidDataException>(() => JsonlGradeJob.Run(input, output, PaperGrader()));
        Assert.Equal(["previous"], File.ReadAllLines(output));
    }

    [Fact]
    public void An_unwritable_output_fails_naming_the_output_path()
    {
        var input = Write("in.jsonl", """{"gold": "1", "prediction": "1"}""");
        var blocker = Write("a-file", "not a folder");
        var output = Path.Combine(blocker, "out.jsonl"); // a folder cannot be made where a file is

        var error = Assert.ThrowsAny<IOException>(() => JsonlGradeJob.Run(input, output, PaperGrader()));

        Assert.StartsWith($"{output}: cannot write: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
