using System.CommandLine;
using System.Globalization;
using Rlvr.Core.Data;
using Rlvr.Core.Voting;
using Rlvr.Grading;
using Rlvr.Torch.Distributed;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr label`: majority-vote labels for a dataset from k sampled responses per problem, as upstream's
/// majority_voting_labeling.py + relabel_data_based_on_mv_labels.py, grouping answers by grader
/// equivalence. Writes OUT/NAME/{test,train}.json, OUT/NAME_incorrect/{test,train}.json,
/// OUT/NAME_votes.jsonl and OUT/NAME_report.json (see <see cref="LabelWriter"/>).
/// With `--model DIR` instead of `--samples` it first samples the responses itself (<see cref="LabelSampling"/>:
/// `--votes 64` per raw prompt at temperature 1.0, as upstream) into OUT/NAME_samples.jsonl, then labels from that
/// file exactly as `--samples` does. Rerunning an interrupted command resumes the sampling where it stopped.
/// Under <c>mpirun -np N</c> the sampling is split across ranks and rank 0 writes the samples file (the one a
/// single process writes), then labels alone.
/// </summary>
public static class LabelCommand
{
    public static Command Create()
    {
        var samples = new Option<string?>("--samples") { Description = "JSON Lines of {id, response}: k sampled responses per problem (or --model to sample them)." };
        var dataName = new Option<string>("--data") { Description = "The dataset the samples answer (name or path); its labels are the ground truth.", Required = true };
        var outFolder = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var mode = new Option<string>("--mode")
        {
            Description = "Grader: paper (upstream's extractor and grade_answer, as the paper's labels were made) or verify (robust).",
            DefaultValueFactory = _ => "paper",
        };
        var name = new Option<string?>("--name") { Description = "Name of the labeled set (default <dataset>_mv_labeled, with --model <dataset>_mv_labeled_<model> as upstream); the wrong-label subset gets _incorrect." };
        var limit = new Option<int?>("--limit") { Description = "Only the first N problems of the dataset (sampled and labeled; smoke tests)." };
        var testRows = new Option<int>("--test-rows")
        {
            Description = "Rows written to test.json, the rest to train.json (upstream: 100).",
            DefaultValueFactory = _ => 100,
        };
        var data = new DataOptions();
        var sampling = new LabelSampling();

        var command = new Command("label", "Majority-vote labels from sampled responses (a samples file, or sampled with --model); writes the labeled set and its incorrect-label subset.");
        foreach (var option in new Option[] { samples, dataName, outFolder, mode, name, testRows, limit })
        {
            command.Options.Add(option);
        }
        data.AddTo(command);
        sampling.AddTo(command);
        command.SetAction(parse => RunInterruptible(cancel => DataCliErrors.Run(() =>
        {
            var modelGiven = parse.GetValue(sampling.Model) != null;
            if ((parse.GetValue(samples) == null) != modelGiven)
                throw new DatasetException("give either --samples FILE (responses already sampled) or --model DIR (sample them now), not both or neither");
            var graderMode = parse.GetValue(mode)!.ToLowerInvariant() switch
            {
                "paper" => GraderMode.Paper,
                "verify" => GraderMode.Verify,
                var other => throw new DatasetException($"--mode {other}: expected paper or verify"),
            };
            var rows = parse.GetValue(testRows);
            if (rows < 0) throw new DatasetException($"--test-rows {rows}: expected 0 or more");
            if (parse.GetValue(limit) is < 1) throw new DatasetException($"--limit {parse.GetValue(limit)}: expected 1 or more");
            var located = modelGiven ? sampling.Locate(parse) : null;
            var dataset = data.Load(parse, parse.GetValue(dataName)!);
            var problems = parse.GetValue(limit) is int n ? dataset.Problems.Take(n).ToList() : dataset.Problems;
            var grader = CreateGrader(graderMode);
            var outPath = parse.GetValue(outFolder)!;

            var setName = parse.GetValue(name) ?? DefaultName(dataset.Name, located?.Name);
            var samplesPath = parse.GetValue(samples) ?? Path.Combine(outPath, setName + "_samples.jsonl");
            var world = World.FromEnvironment();
            using var collectives = Collectives.Open(world, cudaTensors: false);
            if (located != null) sampling.Run(parse, located.Folder, problems, samplesPath, cancel, world, new CollectivePeers(collectives));
            if (!world.IsLeader) return; // labelling reads the samples file rank 0 wrote: one process is enough

            Console.WriteLine($"labeling {dataset.Name} ({dataset.Split.Name()}, {problems.Count} problems) from {samplesPath} with the {graderMode.ToString().ToLowerInvariant()} grader");
            var result = MajorityLabeler.Label(problems, SampleReader.Stream(samplesPath), grader, samplesPath, dataset.Name, read =>
            {
                if (read % 100_000 == 0) Console.Error.WriteLine($"  {read:N0} samples read");
            });
            IReadOnlyList<string> written;
            try
            {
                written = LabelWriter.Write(result, outPath, setName, rows, dataset.Name, graderMode.ToString().ToLowerInvariant());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // e.g. a file where an output folder must go: one line naming the option, not a stack trace.
                throw new DatasetException($"--out {outPath}: cannot write the labeled dataset: {e.Message}");
            }
            PrintSummary(result.Summary);
            foreach (var path in written) Console.WriteLine($"wrote {path}");
        })));
        return command;
    }

    /// <summary>Upstream's folder names: DeepScaleR_mv_labeled_{model_id} when the labels come from a model.</summary>
    private static string DefaultName(string dataset, string? modelName)
    {
        var name = $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset))}_mv_labeled";
        return modelName == null ? name : $"{name}_{modelName}";
    }

    /// <summary>Runs the action with Ctrl-C stopping the sampling after the batch in flight (its samples are kept),
    /// and turns a model that cannot be loaded or run into one line on stderr.</summary>
    private static int RunInterruptible(Func<CancellationToken, int> action)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("interrupt: stopping after the current batch; rerun the same command to resume");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return action(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted: the problems sampled so far are kept; rerun the same command to resume");
            return 130;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidOperationException
            or InvalidDataException or NotSupportedException or FormatException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static IAnswerGrader CreateGrader(GraderMode mode)
    {
        try
        {
            return Graders.Create(mode, GradeOptions.Reproducible); // labels must not depend on the machine's load
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
