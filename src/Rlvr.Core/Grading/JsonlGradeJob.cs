using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlvr.Core.IO;
using Rlvr.Grading;

namespace Rlvr.Core.Grading;

/// <summary>What <see cref="JsonlGradeJob.Run"/> did.</summary>
/// <param name="Count">Lines graded.</param>
/// <param name="Correct">Lines graded correct.</param>
/// <param name="TimedOut">Lines whose grade call ran out of its time bound (graded wrong).</param>
/// <param name="GradingTime">Time spent in the grader alone.</param>
public sealed record JsonlGradeSummary(int Count, int Correct, int TimedOut, TimeSpan GradingTime)
{
    /// <summary>Pairs graded per second of grading time.</summary>
    public double PairsPerSecond => GradingTime.TotalSeconds > 0 ? Count / GradingTime.TotalSeconds : 0;
}

/// <summary>
/// Grades a JSONL file of (prediction, gold) records: every non-blank input line is written back with
/// <c>correct</c> and <c>extracted</c> added. The output goes to a temporary file that is renamed at the
/// end, so a malformed line (reported with its line number) leaves no output file behind.
/// </summary>
public static class JsonlGradeJob
{
    private static readonly JsonSerializerOptions Compact = new()
    {
        // LaTeX stays readable: no \u escapes for '<', '+', or non-ASCII.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Grades <paramref name="inputPath"/> into <paramref name="outputPath"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON object with string (or number) values
    /// under <paramref name="goldKey"/> and <paramref name="predictionKey"/>; the message names the line.</exception>
    public static JsonlGradeSummary Run(string inputPath, string outputPath, IAnswerGrader grader,
        string goldKey = "gold", string predictionKey = "prediction")
    {
        if (!File.Exists(inputPath)) throw new FileNotFoundException($"{inputPath}: no such file", inputPath);
        int count = 0, correct = 0, timedOut = 0;
        var grading = new Stopwatch();
        // The input is opened before the output so that a read error names the input and a write error the output.
        StreamReader input;
        try
        {
            input = new StreamReader(inputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{inputPath}: cannot read: {e.Message}", e);
        }
        using (input)
        {
            try
            {
                AtomicFile.Write(outputPath, WriteGraded);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"{outputPath}: cannot write: {e.Message}", e);
            }
        }
        return new JsonlGradeSummary(count, correct, timedOut, grading.Elapsed);

        void WriteGraded(Stream stream)
        {
            using var writer = new StreamWriter(stream);
            var lineNumber = 0;
            while (input.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                var record = ParseRecord(inputPath, lineNumber, line);
                var gold = ReadText(record, goldKey, inputPath, lineNumber);
                var prediction = ReadText(record, predictionKey, inputPath, lineNumber);

                grading.Start();
                var result = grader.Grade(prediction, gold);
                grading.Stop();

                count++;
                if (result.Correct) correct++;
                if (result.TimedOut) timedOut++;
                record["correct"] = result.Correct;
                record["extracted"] = result.Extracted;
                writer.WriteLine(record.ToJsonString(Compact));
            }
        }
    }

    private static JsonObject ParseRecord(string path, int lineNumber, string line)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            var column = e.BytePositionInLine is { } position ? $" near byte {position + 1}" : "";
            throw new InvalidDataException($"{path}:{lineNumber}: not valid JSON{column}; expected one JSON object per line");
        }
        return node as JsonObject ?? throw new InvalidDataException($"{path}:{lineNumber}: expected a JSON object");
    }

    private static string ReadText(JsonObject record, string key, string path, int lineNumber)
    {
        if (!record.TryGetPropertyValue(key, out var value) || value is null)
            throw new InvalidDataException($"{path}:{lineNumber}: missing \"{key}\" (choose the field with --gold-key / --pred-key)");
        if (value is JsonValue scalar)
        {
            if (scalar.TryGetValue<string>(out var text)) return text;
            if (scalar.GetValueKind() == JsonValueKind.Number) return scalar.ToJsonString();
        }
        throw new InvalidDataException($"{path}:{lineNumber}: \"{key}\" must be a string or a number");
    }
}
