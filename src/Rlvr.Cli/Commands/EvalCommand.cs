using System.CommandLine;
using System.Diagnostics;
using Rlvr.Core.Evaluation;
using Rlvr.Core.IO;
using Rlvr.Core.Templates;
using Rlvr.Grading;
using Rlvr.Torch.Distributed;
using Rlvr.Torch.Evaluation;
using Rlvr.Torch.Models;
using Spectre.Console;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr eval`: evaluates a model folder on the paper's benchmarks as upstream's eval_checkpoint.py did
/// (MATH-500 one greedy sample; AIME-2024, AIME-2025, AMC eight samples at 0.6; 3,072 new tokens),
/// writing `{out}/{model}_{dataset}.json`, summary.json and `{out}/upstream/{model}_{dataset}.json` (upstream's own
/// output layout). Rerunning an interrupted command resumes it. `--follow RUN_DIR` evaluates a training run's
/// weight snapshots instead, beside the trainer (<see cref="SnapshotFollower"/>).
/// Under <c>mpirun -np N</c> the batches are split across ranks (rank r on <c>cuda:&lt;local rank&gt;</c> when
/// --device is cuda) and rank 0 prints and writes the same files one process writes.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = ModelArgument.Description };
        var follow = new Option<string?>("--follow") { Description = "Evaluate a training run's weight snapshots (eval.snapshot_every) as they appear, on the run's eval.sets, appending to RUN_DIR/eval.jsonl, until the run has ended; rerun to resume" };
        var poll = new Option<double>("--poll-seconds") { Description = "With --follow: seconds between looks for a new snapshot", DefaultValueFactory = _ => 5 };
        var download = ModelArgument.CreateDownloadOption();
        var datasets = new Option<string>("--datasets") { Description = "Comma-separated datasets (names or paths)", DefaultValueFactory = _ => string.Join(",", EvalDefaults.PaperDatasets) };
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => Path.Combine("outputs", "eval") };
        var template = new Option<string?>("--template") { Description = $"Prompt template ({string.Join(", ", PromptTemplates.Names)}, or a file); default: recognised from the model's chat template" };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "New tokens per sample", DefaultValueFactory = _ => EvalDefaults.MaxNewTokens };
        var shards = new Option<int>("--shards") { Description = "Split each dataset's problems into this many generation shards (upstream --shards)", DefaultValueFactory = _ => EvalDefaults.Shards };
        var batch = new Option<int>("--batch-size") { Description = "Cap on sequences per generation call within a shard (0 = each shard in one call, as upstream; a cap bounds memory and what an interruption loses)", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16 or float16 (default: float32 on CPU, bfloat16 on CUDA)" };
        var grader = new Option<string>("--grader") { Description = "paper (upstream's math reward) or verify", DefaultValueFactory = _ => "paper" };
        var samples = new Option<int?>("--samples") { Description = "Samples per problem for every dataset (default: 1 for MATH-500, 8 otherwise)" };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature for every dataset (default: 0 for one sample, 0.6 for more)" };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling", DefaultValueFactory = _ => EvalDefaults.TopP };
        var seed = new Option<long>("--seed") { Description = "Seed of all sampling", DefaultValueFactory = _ => 0 };
        var limit = new Option<int?>("--limit") { Description = "Only the first N problems of each dataset (smoke tests)" };
        var problemPrefix = new Option<string>("--problem-prefix") { Description = "Text put before each problem inside the template", DefaultValueFactory = _ => "" };
        var problemSuffix = new Option<string>("--problem-suffix") { Description = "Text put after each problem inside the template", DefaultValueFactory = _ => "" };
        var responsePrefix = new Option<string>("--response-prefix") { Description = "Text the response is forced to start with, e.g. \"Let's solve this using Python.\" (paper Table 3)", DefaultValueFactory = _ => "" };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Folder of the shipped datasets (default: ${Rlvr.Core.Data.DataDirectory.EnvironmentVariable}, else data/ of the repository holding this rlvr)" };
        var name = new Option<string?>("--name") { Description = "The model's name in output file names (default: the model folder's name, or the name part of a Hub id, as upstream)" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0 = its default; 1 is faster on a busy shared machine)", DefaultValueFactory = _ => 0 };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace finished results (and unfinished journals) in --out that were made with other settings (default: refuse before writing anything)" };
        var randomWeights = new Option<string?>("--random-weights") { Description = "Benchmarking: random weights of this preset shape (e.g. qwen2.5-math-1.5b); --model then only supplies the tokenizer" };

        var command = new Command("eval", "Evaluate a model on MATH-500, AIME-2024, AIME-2025 and AMC the way the paper did (avg@k, pass@k, code reasoning).");
        foreach (var o in new Option[] { model, follow, poll, download, datasets, output, template, maxNew, shards, batch, device, dtype, grader, samples, temperature, topP, seed, limit, problemPrefix, problemSuffix, responsePrefix, dataDir, randomWeights, threads, name, overwrite })
        {
            command.Options.Add(o);
        }
        command.Validators.Add(result =>
        {
            if (result.GetValue(model) is null && result.GetValue(follow) is null)
                result.AddError("--model is required (or --follow RUN_DIR for a training run's snapshots)");
        });
        command.SetAction(parse =>
        {
            if (parse.GetValue(follow) is { } runDir) return Follow(runDir, parse.GetValue(poll), parse.GetValue(device)!, parse.GetValue(dtype), parse.GetValue(threads));
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;  // finish the batch in flight, keep the journal, exit cleanly
                cancel.Cancel();
                Console.Error.WriteLine("interrupt: stopping after the current batch; rerun the same command to resume");
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                // Checked before the template is detected from the folder and the model is loaded, so that a
                // wrong path or count is reported as such rather than as a missing tokenizer_config.json,
                // or only after minutes of loading (and, for --max-new-tokens, after a journal was started).
                var located = ModelArgument.Locate(parse.GetValue(model)!, parse.GetValue(download));
                var modelDir = located.Folder;
                if (parse.GetValue(shards) < 1) throw new ArgumentException($"--shards {parse.GetValue(shards)}: need at least 1");
                if (parse.GetValue(batch) < 0) throw new ArgumentException($"--batch-size {parse.GetValue(batch)}: need 0 (whole shards) or more");
                if (parse.GetValue(maxNew) < 1) throw new ArgumentException($"--max-new-tokens {parse.GetValue(maxNew)}: need at least 1");
                if (parse.GetValue(topP) is var mass and (<= 0 or > 1 or double.NaN)) throw new ArgumentException($"--top-p {mass}: expected a number in (0, 1]");
                if (parse.GetValue(temperature) is double heat && !(heat >= 0 && double.IsFinite(heat))) throw new ArgumentException($"--temperature {heat}: expected 0 (greedy) or more");
                if (parse.GetValue(samples) is < 1) throw new ArgumentException($"--samples {parse.GetValue(samples)}: need at least 1");
                if (parse.GetValue(threads) < 0) throw new ArgumentException($"--threads {parse.GetValue(threads)}: expected 0 (libtorch's default) or more");
                var mode = ParseGrader(parse.GetValue(grader)!);
                var promptTemplate = parse.GetValue(template) is { } t ? PromptTemplates.Create(t) : ChatTemplateDetector.FromModelFolder(modelDir);
                var settings = new EvalSettings(
                    parse.GetValue(name) ?? located.Name,
                    parse.GetValue(output)!, mode.ToString().ToLowerInvariant(), promptTemplate,
                    parse.GetValue(maxNew), parse.GetValue(shards), parse.GetValue(batch), parse.GetValue(topP), parse.GetValue(seed),
                    parse.GetValue(problemPrefix)!, parse.GetValue(problemSuffix)!, parse.GetValue(responsePrefix)!,
                    ModelPath: modelDir, Device: parse.GetValue(device)!);
                var request = new EvalRequest(
                    parse.GetValue(datasets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    parse.GetValue(samples), parse.GetValue(temperature), parse.GetValue(limit), parse.GetValue(dataDir));

                if (parse.GetValue(threads) > 0) TorchSharp.torch.set_num_threads(parse.GetValue(threads));
                var work = EvalSession.Plan(request);
                // Verdicts bounded by work, not time: the same on any machine, under any load, and on every rank.
                var grading = Graders.Create(mode, GradeOptions.Reproducible);
                var world = World.FromEnvironment();
                var deviceName = parse.GetValue(device)!;
                if (world.Size > 1 && deviceName == "cuda") deviceName = $"cuda:{world.LocalRank}"; // one GPU per rank
                var placement = Placement.Parse(deviceName, parse.GetValue(dtype));
                using var collectives = Collectives.Open(world, cudaTensors: false); // control data only: MPI
                var leader = world.IsLeader;
                // Before the model loads: one evaluation per folder, and no finished result of other settings replaced unasked.
                using var folderLock = leader ? RunFolderLock.Acquire(settings.OutputDir, "rlvr eval") : null;
                if (leader) EvalSession.CheckOutputs(work, settings, parse.GetValue(overwrite));
                collectives.Barrier(); // the other ranks read the folder only after rank 0 has checked (and maybe cleared) it
                var weights = parse.GetValue(randomWeights) is { } preset ? $" (random weights of {preset})" : "";
                if (leader)
                    Console.WriteLine($"eval: model {parse.GetValue(model)}{weights} on {placement}, template {promptTemplate.Name}, grader {settings.Grader}, " +
                        $"max new tokens {settings.MaxNewTokens}, shards {settings.Shards}, batch {settings.BatchSequences}, seed {settings.Seed}, out {settings.OutputDir}"
                        + (world.Size > 1 ? $", {world.Size} ranks" : ""));
                using var evalModel = EvalModel.Load(modelDir, placement, parse.GetValue(randomWeights), settings.Seed);
                var generator = evalModel.Generator();
                var clock = Stopwatch.StartNew();
                var generatedProblems = new Dictionary<string, int>();
                void Progress(EvalProgress p)
                {
                    generatedProblems[p.Dataset] = p.Done - p.Resumed;
                    PrintProgress(p);
                }
                var (summary, results) = EvalSession.Run(work, settings, generator, grading, Progress, cancel.Token, new CollectivePeers(collectives));
                if (!leader) return 0;
                PrintSummary(summary);
                var generated = generator.Stats.Sum(s => s.GeneratedTokens);
                var problemsRun = generatedProblems.Values.Sum();
                Console.WriteLine($"time: {clock.Elapsed.TotalSeconds:0.0} s for {problemsRun} problems generated in this run " +
                    $"({clock.Elapsed.TotalSeconds / Math.Max(1, problemsRun):0.00} s per problem), {generated} tokens " +
                    $"({generated / Math.Max(1e-9, generator.Stats.Sum(s => (s.Prefill + s.Decode).TotalSeconds)):0} tok/s in generation)");
                Console.WriteLine($"wrote {Path.Combine(settings.OutputDir, "summary.json")}");
                return 0;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("interrupted: finished problems are kept in the .partial.jsonl journals; rerun the same command to resume");
                return 130;
            }
            catch (Exception e) when (e is FormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
                or InvalidOperationException or TemplateException or NotSupportedException or InvalidDataException or KeyNotFoundException
                or Rlvr.Core.Data.DatasetException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2; // bad input: the same status as the other verbs
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }

    /// <summary>`rlvr eval --follow RUN_DIR`: <see cref="SnapshotFollower"/> with Ctrl-C stopping between batches (exit 130).</summary>
    private static int Follow(string runDir, double pollSeconds, string device, string? dtype, int threads)
    {
        if (!(pollSeconds > 0)) throw new ArgumentException($"--poll-seconds {pollSeconds}: need a positive number");
        // Every rank would follow the run and append to the same eval.jsonl: the follower is one process.
        if (World.FromEnvironment().Size > 1)
            throw new ArgumentException("--follow runs as one process beside the trainer: start it without mpirun/srun");
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var options = new FollowOptions(runDir, Placement.Parse(device, dtype), TimeSpan.FromSeconds(pollSeconds), Console.WriteLine);
            SnapshotFollower.Run(options, cancel.Token);
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted: finished snapshots are in eval.jsonl, a snapshot cut short resumes from its journals; rerun to go on");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    internal static GraderMode ParseGrader(string name) => name.ToLowerInvariant() switch
    {
        "paper" => GraderMode.Paper,
        "verify" => GraderMode.Verify,
        _ => throw new ArgumentException($"--grader {name}: expected paper or verify"),
    };

    private static void PrintProgress(EvalProgress p)
    {
        var resumed = p.Resumed > 0 ? $" ({p.Resumed} resumed)" : "";
        Console.WriteLine($"{p.Dataset}: {p.Done}/{p.Total} problems{resumed}");
    }

    private static void PrintSummary(EvalSummary summary)
    {
        var table = new Table().AddColumns("dataset", "problems", "k", "temp.", "avg@k", "pass@k", "code freq.", "mean tokens");
        foreach (var d in summary.Datasets)
        {
            table.AddRow(Markup.Escape(d.Dataset), d.Problems.ToString(), d.Samples.ToString(), d.Temperature.ToString("0.0#"),
                AnalyzeCommand.Pct(d.AvgAtK), AnalyzeCommand.Pct(d.PassAtK), AnalyzeCommand.Pct(d.CodeFrequency), d.MeanCompletionTokens.ToString("0"));
        }
        table.AddRow("overall", "", "", "", AnalyzeCommand.Pct(summary.OverallAvgAtK), AnalyzeCommand.Pct(summary.OverallPassAtK), "", "");
        AnsiConsole.Write(table);
    }
}
