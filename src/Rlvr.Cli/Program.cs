using System.CommandLine;
using Rlvr.Cli.Commands;
using Rlvr.Torch.Native;

TorchRuntime.EnsureReady();

// The `rlvr` command. Each verb lives in its own file under Commands/ and is only wired here.
var root = new RootCommand("Rlvr: reinforcement learning with verifiable rewards, in C#.");
foreach (var command in new[]
{
    VersionCommand.Create(),
    EvalCommand.Create(),
    AnalyzeCommand.Create(),
    GradeCommand.Create(),
    BenchCommand.Create(),
    DataCommand.Create(),
    LabelCommand.Create(),
    GenerateCommand.Create(),
    TrainCommand.Create(),
})
{
    root.Subcommands.Add(command);
}
return root.Parse(args).Invoke();
