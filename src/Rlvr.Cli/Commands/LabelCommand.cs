using System.CommandLine;
using System.Globalization;
using Rlvr.Core.Data;
using Rlvr.Core.Voting;
using Rlvr.Grading;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr label`: majority-vote labels for a dataset from k sampled responses per problem, as upstream's
/// majority_voting_labeling.py + relabel_data_based_on_mv_labels.py, grouping answers by grader
/// equivalence. Writes OUT/NAME/{test,train}.json, OUT/NAME_incorrect/{test,train}.json,
/// OUT/NAME_votes.jsonl and OUT/NAME_report.json (see <see cref="LabelWriter"/>).
/// Sampling the responses itself (`--model DIR --votes 64`) needs the generation engine and is not wired yet.
/// </summary>
public static class LabelCommand
{
    public static Command Create()
    {
        var samples = new Option<string>("--samples") { Description = "JSON Lines of {id, response}: k sampled responses per problem.", Required = true };
        var dataName = new Option<string>("--data") { Description = "The dataset the samples answer (name or path); its labels are the ground truth.", Required = true };
        var outFolder = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var mode = new Option<string>("--mode")
        {
            Description = "Grader: paper (upstream's extractor and grade_answer, as the paper's labels were made) or verify (robust).",
            DefaultValueFactory = _ => "paper",
        };
        var name = new Option<string?>("--name") { Description = "Name of the labeled set (default <dataset>_mv_labeled); the wrong-label subset gets _incorrect." };
        var testRows = new Option<int>("--test-rows")
        {
            Description = "Rows written to test.json, the rest to train.json (upstream: 100).",
            DefaultValueFactory = _ => 100,
        };
        var data = new DataOptions();

        var command = new Command("label", "Majority-vote labels from sampled responses; writes the labeled set and its incorrect-label subset.");
        foreach (var option in new Option[] { samples, dataName, outFolder, mode, name, testRows })
        {
            command.Options.Add(option);
        }
        data.AddTo(command);
        command.SetAction(parse => DataCliErrors.Run(() =>
        {
            var graderMode = parse.GetValue(mode)!.ToLowerInvariant() switch
            {
                "paper" => GraderMode.Paper,
                "verify" => GraderMode.Verify,
                var other => throw new DatasetException($"--mode {other}: expected paper or verify"),
            };
            var rows = parse.GetValue(testRows);
            if (rows < 0) throw new DatasetException($"--test-rows {rows}: expected 0 or more");
            var dataset = data.Load(parse, parse.GetValue(dataName)!);
            var samplesPath = parse.GetValue(samples)!;
            var grader = CreateGrader(graderMode);

            var setName = parse.GetValue(name) ?? $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset.Name))}_mv_labeled";
            Console.WriteLine($"labeling {dataset.Name} ({dataset.Split.Name()}, {dataset.Problems.Count} problems) from {samplesPath} with the {graderMode.ToString().ToLowerInvariant()} grader");
            var result = MajorityLabeler.Label(dataset.Problems, SampleReader.Stream(samplesPath), grader, samplesPath, dataset.Name, read =>
            {
                if (read % 100_000 == 0) Console.Error.WriteLine($"  {read:N0} samples read");
            });
            var written = LabelWriter.Write(result, parse.GetValue(outFolder)!, setName, rows, dataset.Name, graderMode.ToString().ToLowerInvariant());
            PrintSummary(result.Summary);
            foreach (var path in written) Console.WriteLine($"wrote {path}");
        }));
        return command;
    }

    private static IAnswerGrader CreateGrader(GraderMode mode)
    {
        try
        {
            return Graders.Create(mode);
        }
        catch (NotSupportedException e)
        {
            throw new DatasetException($"--mode {mode.ToString().ToLowerInvariant()}: {e.Message}");
        }
    }

    private static void PrintSummary(LabelingSummary s)
    {
        string P(double x) => x.ToString("P1", CultureInfo.InvariantCulture);
        Console.WriteLine($"problems {s.Problems}: labeled {s.Labeled}, no answer in any sample {s.WithoutAnswer}, no samples {s.WithoutSamples}");
        Console.WriteLine($"label accuracy {P(s.LabelAccuracy)} ({s.Correct} correct, {s.Incorrect} incorrect); mean sample accuracy {P(s.MeanSampleAccuracy)}");
        Console.WriteLine($"vote margin: mean {s.MeanMargin.ToString("F3", CultureInfo.InvariantCulture)}, ties {s.Ties}; histogram [0,0.1) .. [0.9,1]: {string.Join(" ", s.MarginHistogram)}");
    }
}
