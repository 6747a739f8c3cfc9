using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rlvr.Core.Grading;
using Rlvr.Grading;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr grade`: one (gold, prediction) pair (`--gold --pred`, prints true/false or `--json`), or a
/// JSONL file (`--file --out`, writes every line with `correct` and `extracted` added, prints a summary).
/// </summary>
public static class GradeCommand
{
    public static Command Create()
    {
        var gold = new Option<string>("--gold") { Description = "The gold answer (LaTeX), for one pair." };
        var pred = new Option<string>("--pred") { Description = "The model response or answer, for one pair." };
        var mode = new Option<string>("--mode")
        {
            Description = "Grader: paper (the paper's own reward, quirks included) or verify (robust).",
            DefaultValueFactory = _ => "paper",
        };
        var json = new Option<bool>("--json") { Description = "Print {\"correct\", \"extracted\", \"mode\", \"timed_out\"} for one pair." };
        var file = new Option<string>("--file") { Description = "A JSONL file of records to grade." };
        var goldKey = new Option<string>("--gold-key") { Description = "Field of the gold answer in --file.", DefaultValueFactory = _ => "gold" };
        var predKey = new Option<string>("--pred-key") { Description = "Field of the prediction in --file.", DefaultValueFactory = _ => "prediction" };
        var output = new Option<string>("--out") { Description = "Where --file's graded records go (JSONL)." };

        var command = new Command("grade", "Grade a math answer against a gold answer, or a JSONL file of them.");
        foreach (var option in new Option[] { gold, pred, mode, json, file, goldKey, predKey, output }) command.Options.Add(option);

        command.SetAction(parse =>
        {
            if (!TryParseMode(parse.GetValue(mode), out var graderMode)) return 2;
            var grader = Graders.Create(graderMode);
            var filePath = parse.GetValue(file);
            if (filePath != null)
            {
                var outPath = parse.GetValue(output);
                if (outPath == null) return Fail("--file needs --out <path> for the graded records");
                return GradeFile(grader, filePath, outPath, parse.GetValue(goldKey)!, parse.GetValue(predKey)!);
            }
            var goldText = parse.GetValue(gold);
            var predText = parse.GetValue(pred);
            if (goldText == null || predText == null) return Fail("give --gold and --pred for one pair, or --file and --out");
            var result = grader.Grade(predText, goldText);
            Console.WriteLine(parse.GetValue(json) ? PairJson(result, graderMode) : result.Correct ? "true" : "false");
            return 0;
        });
        return command;
    }

    /// <summary>Parses "paper" or "verify"; prints the error itself.</summary>
    public static bool TryParseMode(string? text, out GraderMode mode)
    {
        switch (text?.ToLowerInvariant())
        {
            case "paper": mode = GraderMode.Paper; return true;
            case "verify": mode = GraderMode.Verify; return true;
            default:
                mode = default;
                Fail($"--mode: expected paper or verify, got '{text}'");
                return false;
        }
    }

    private static int GradeFile(IAnswerGrader grader, string input, string output, string goldKey, string predKey)
    {
        try
        {
            var summary = JsonlGradeJob.Run(input, output, grader, goldKey, predKey);
            Console.WriteLine($"graded {summary.Count} pairs ({grader.Mode.ToString().ToLowerInvariant()}): {summary.Correct} correct, "
                + $"{summary.TimedOut} timeouts, {summary.PairsPerSecond:F0} pairs/s; wrote {output}");
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    private static string PairJson(GradeResult result, GraderMode mode) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["correct"] = result.Correct,
            ["extracted"] = result.Extracted,
            ["mode"] = mode.ToString().ToLowerInvariant(),
            ["timed_out"] = result.TimedOut,
        }, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"rlvr grade: {message}");
        return 2;
    }
}
