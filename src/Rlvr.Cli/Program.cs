using System.CommandLine;
using Rlvr.Cli.Commands;
using Rlvr.Torch.Native;

TorchRuntime.EnsureReady();

// The `rlvr` command. Each verb lives in its own file under Commands/ and is only wired here.
var root = new RootCommand("Rlvr: reinforcement learning with verifiable rewards, in C#.");
foreach (var command in new[]
{
    TrainCommand.Create(),
    EvalCommand.Create(),
    AnalyzeCommand.Create(),
    GradeCommand.Create(),
    LabelCommand.Create(),
    DataCommand.Create(),
    GenerateCommand.Create(),
    BenchCommand.Create(),
    VersionCommand.Create(),
})
{
    root.Subcommands.Add(command);
}
return root.Parse(args).Invoke();
