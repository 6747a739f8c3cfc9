using System.CommandLine;
using System.Globalization;
using Rlvr.Core.Data;
using Rlvr.Torch.Distributed;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Telemetry;
using Spectre.Console;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr train`: GRPO training from a YAML config (or the embedded tiny-cpu default) with
/// `--set key=value` overrides; writes the run folder (config, metrics, TensorBoard, checkpoints, plot).
/// Exit status: 0 all steps ran; 1 an unexpected failure; 2 bad input (configuration, model folder, run folder); 3 stopped
/// early because <c>checkpoint.max_bad_steps</c> optimizer steps in a row had a NaN/Inf loss or
/// gradient (the newest checkpoint is the last good one; fix the cause and pass --resume); 130 / 143 stopped by
/// SIGINT / SIGTERM after finishing the step in flight and checkpointing it (<see cref="TrainSignals"/>).
/// Under <c>mpirun -np N</c> (or <c>srun --mpi=pmix</c>) each process is one data-parallel rank; rank 0 prints
/// and writes; a rank that fails prints its error and ends every rank (MPI_Abort, exit 1) instead of
/// leaving them waiting in a collective.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = $"YAML config file or preset name ({string.Join(", ", ConfigLoader.EmbeddedPresets)}); default: the embedded {ConfigLoader.DefaultPreset}" };
        var set = new Option<string[]>("--set") { Description = "Override a config value, e.g. --set rollout.temperature=0.7 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var model = new Option<string?>("--model") { Description = "Hugging Face model (a folder or a cached Hub id org/name[@revision]) replacing model.path" };
        var download = ModelArgument.CreateDownloadOption();
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/<run.name>)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest complete checkpoint in the run folder" };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Folder of the shipped datasets (default: ${DataDirectory.EnvironmentVariable}, else data/ of the repository holding this rlvr)" };
        var command = new Command("train", "Train a policy with GRPO on verifiable (or spurious) rewards.");
        foreach (var o in new Option[] { config, set, model, download, output, resume, dataDir }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            // Bad settings and files fail here or at the trainer's start, before any work; the top-level
            // guard (CliErrors) turns them into one line and exit 2.
            // Every dataset a run reads (training data, true labels, eval sets) is found through the data folder,
            // so --data-dir is handed on as the variable they all read.
            if (parse.GetValue(dataDir) is { } folder)
                Environment.SetEnvironmentVariable(DataDirectory.EnvironmentVariable, DataDirectory.Resolve(folder));
            var resolved = ConfigLoader.Load(parse.GetValue(config), parse.GetValue(set) ?? []);
            // model.path and --model may name a Hub id: found in the local cache (or fetched with --download) now,
            // before the run folder is made. The tiny preset builds its own model.
            // Under mpirun rank 0 alone downloads; the others then find the model in the cache it filled.
            var named = parse.GetValue(model) ?? (resolved.Model.Tiny is null ? resolved.Model.Path : null);
            var world = World.FromEnvironment();
            string? Locate(bool download) => named is null ? null
                : ModelArgument.Locate(named, download, parse.GetValue(model) is null ? "model.path" : "--model").Folder;
            var baseModel = world.Size == 1 ? Locate(parse.GetValue(download)) : null;
            var runDir = parse.GetValue(output) ?? Path.Combine("runs", resolved.Run.Name);
            if (world.IsLeader)
            {
                Console.WriteLine("# rlvr train: resolved configuration");
                Console.WriteLine(ConfigLoader.ToYaml(resolved));
            }
            var cuda = TrainingSetup.ResolvePlacement(resolved, world).Device.type == TorchSharp.DeviceType.CUDA;
            using var collectives = Collectives.Open(world, cuda);
            try
            {
                if (world.Size > 1)
                {
                    if (world.IsLeader) baseModel = Locate(parse.GetValue(download));
                    collectives.Barrier();
                    if (!world.IsLeader) baseModel = Locate(download: false);
                }
                return Run(resolved, runDir, baseModel, parse.GetValue(resume), collectives);
            }
            catch (Exception e) when (world.Size > 1)
            {
                Console.Error.WriteLine($"error (rank {world.Rank} of {world.Size}): {e.Message}");
                collectives.Abort(1);
                throw;
            }
        });
        return command;
    }

    /// <summary>Trains; returns the exit status (0 done, 3 stopped on NaN/Inf updates). Only rank 0 prints.</summary>
    private static int Run(TrainConfig resolved, string runDir, string? model, bool resume, ICollectives collectives)
    {
        bool leader = collectives.World.IsLeader;
        var stop = new StopRequest();
        // One process only: under mpirun the launcher tears a failed job down with SIGTERM, and a rank whose peer
        // is gone cannot finish its step (it would wait in a collective for ever); there the signals keep their
        // default action and --resume continues from the newest checkpoint.
        using var signals = collectives.World.Size == 1 ? TrainSignals.Register(stop) : null;
        var live = leader && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        TrainResult Train(Action<string> log, Action<StepMetrics> stepCompleted) => new GrpoTrainer(resolved,
            new TrainOptions(runDir, model, resume, Log: log, StepCompleted: stepCompleted, Collectives: collectives, Stop: stop)).Run();
        TrainResult result;
        if (live)
        {
            result = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: resolved.Run.Steps);
                    result = Train(line => AnsiConsole.MarkupLine(Markup.Escape(line)), m =>
                    {
                        task.Value = m.Step;
                        task.Description = Markup.Escape($"step {m.Step}: reward {m.RewardMean:F3} acc {m.Accuracy:F3}");
                        AnsiConsole.MarkupLine(Markup.Escape(Line(m)));
                    });
                });
        }
        else result = Train(Console.WriteLine, m => Console.WriteLine(Line(m)));
        if (leader) Console.WriteLine(result.Message);
        // 130/143: stopped by SIGINT/SIGTERM after a checkpoint; 3: stopped early (NaN/Inf updates), the last good checkpoint kept
        return result.StopExitCode ?? (result.Completed ? 0 : 3);
    }

    /// <summary>One plain progress line per step.</summary>
    private static string Line(StepMetrics m)
    {
        var eval = m.EvalAccuracy is double e ? FormattableString.Invariant($" eval {e:F3}") : "";
        return FormattableString.Invariant(
            $"step {m.Step}: reward {m.RewardMean:F3} acc {m.Accuracy:F3} len {m.ResponseLengthMean:F1} clip {m.ClipFractionLow:F4}/{m.ClipFractionHigh:F4} entropy {m.Entropy:F3} loss {m.Loss:F4} grad {m.GradNorm:F3}{eval} | {m.TokensPerSecond:F0} tok/s, gen {m.SecondsGenerating:F1}s score {m.SecondsScoring:F1}s train {m.SecondsTraining:F1}s");
    }
}
