using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Rlvr.Grading;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr bench grade`: single-thread grading throughput on the 314 grader vectors plus the 500 MATH-500
/// gold answers, each boxed in "The answer is $\boxed{...}$." and graded against itself (814 pairs, the
/// set Math-Verify 0.8.0 grades at 49 pairs/s).
/// </summary>
public static class BenchGradeCommand
{
    /// <summary>Math-Verify 0.8.0 (Python, one thread) on the same 814 pairs, from the issue.</summary>
    private const double MathVerifyPairsPerSecond = 49;

    public static Command Create()
    {
        var vectors = new Option<string>("--vectors") { Description = "Grader vectors (JSONL with gold, prediction); default tests/vectors/grading/cases.jsonl." };
        var math500 = new Option<string>("--math500") { Description = "MATH-500 (JSON array with answer); default data/MATH-TTT/test.json." };
        var mode = new Option<string>("--mode") { Description = "paper, verify or both.", DefaultValueFactory = _ => "both" };
        var seconds = new Option<double>("--seconds") { Description = "Minimum measuring time per mode.", DefaultValueFactory = _ => 3.0 };
        var command = new Command("grade", "Grading throughput, one thread, both graders.");
        foreach (var option in new Option[] { vectors, math500, mode, seconds }) command.Options.Add(option);

        command.SetAction(parse =>
        {
            GraderMode[] modes;
            switch (parse.GetValue(mode))
            {
                case "both": modes = [GraderMode.Paper, GraderMode.Verify]; break;
                case "paper": modes = [GraderMode.Paper]; break;
                case "verify": modes = [GraderMode.Verify]; break;
                case var other:
                    Console.Error.WriteLine($"rlvr bench grade: --mode: expected paper, verify or both, got '{other}'");
                    return 2;
            }

            List<(string Response, string Gold)> pairs;
            try
            {
                pairs = LoadPairs(parse.GetValue(vectors) ?? RepoFile("tests", "vectors", "grading", "cases.jsonl"),
                    parse.GetValue(math500) ?? RepoFile("data", "MATH-TTT", "test.json"));
            }
            catch (Exception e) when (e is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rlvr bench grade: {e.Message}");
                return 2;
            }

            Console.WriteLine($"machine: {BenchMachine.CpuModel()}, {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
            Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; pairs: {pairs.Count}; one thread");
            // Wall-clock pairs/s is what a user sees; pairs per CPU-second is steadier on a shared machine.
            Console.WriteLine($"{"mode",-7} {"passes",6} {"seconds",8} {"pairs/s",9} {"vs Math-Verify",15} {"pairs/cpu-s",12} {"correct",8} {"timeouts",8}");
            foreach (var graderMode in modes)
            {
                var grader = Graders.Create(graderMode);
                var (correct, timeouts) = GradeAll(grader, pairs); // warm-up pass (JIT, regex caches)
                var passes = 0;
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                do
                {
                    GradeAll(grader, pairs);
                    passes++;
                } while (clock.Elapsed.TotalSeconds < parse.GetValue(seconds));
                clock.Stop();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                var rate = pairs.Count * passes / clock.Elapsed.TotalSeconds;
                var cpuRate = pairs.Count * passes / cpu.TotalSeconds;
                Console.WriteLine($"{graderMode.ToString().ToLowerInvariant(),-7} {passes,6} {clock.Elapsed.TotalSeconds,8:F2} {rate,9:F0} {rate / MathVerifyPairsPerSecond,14:F1}x {cpuRate,12:F0} {correct,8} {timeouts,8}");
            }
            return 0;
        });
        return command;
    }

    private static (int Correct, int TimedOut) GradeAll(IAnswerGrader grader, List<(string Response, string Gold)> pairs)
    {
        int correct = 0, timedOut = 0;
        foreach (var (response, gold) in pairs)
        {
            var result = grader.Grade(response, gold);
            if (result.Correct) correct++;
            if (result.TimedOut) timedOut++;
        }
        return (correct, timedOut);
    }

    private static List<(string Response, string Gold)> LoadPairs(string vectorsPath, string math500Path)
    {
        var pairs = new List<(string, string)>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(vectorsPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var row = ParseJson(line, $"{vectorsPath}:{lineNumber}");
            if (row.RootElement.ValueKind != JsonValueKind.Object
                || !row.RootElement.TryGetProperty("gold", out var gold) || gold.ValueKind != JsonValueKind.String
                || !row.RootElement.TryGetProperty("prediction", out var prediction) || prediction.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{vectorsPath}:{lineNumber}: expected an object with string \"gold\" and \"prediction\"");
            pairs.Add((prediction.GetString()!, gold.GetString()!));
        }
        using var math = ParseJson(File.ReadAllText(math500Path), math500Path);
        if (math.RootElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{math500Path}: expected a JSON array of problems");
        var index = 0;
        foreach (var problem in math.RootElement.EnumerateArray())
        {
            if (problem.ValueKind != JsonValueKind.Object || !problem.TryGetProperty("answer", out var answer) || answer.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{math500Path}: problem {index}: expected an object with a string \"answer\"");
            pairs.Add(($"The answer is $\\boxed{{{answer.GetString()}}}$.", answer.GetString()!));
            index++;
        }
        return pairs;
    }

    /// <summary>Parses <paramref name="text"/>; a syntax error names <paramref name="where"/> in one line.</summary>
    private static JsonDocument ParseJson(string text, string where)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: invalid JSON at byte {e.BytePositionInLine ?? 0}");
        }
    }

    /// <summary>A file of the repository: found above the current folder or above the executable.</summary>
    private static string RepoFile(params string[] parts)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Rlvr.slnx"))) return Path.Combine([dir.FullName, .. parts]);
            }
        }
        throw new FileNotFoundException($"the repository (Rlvr.slnx) was not found above {Directory.GetCurrentDirectory()}; pass the path explicitly");
    }
}
