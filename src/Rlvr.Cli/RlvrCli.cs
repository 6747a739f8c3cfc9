using System.CommandLine;
using Rlvr.Cli.Commands;

namespace Rlvr.Cli;

/// <summary>
/// The `rlvr` command: the verbs (one file each under Commands/) and the one guard around all of them
/// (<see cref="CliErrors"/>), so that a mistyped option or a bad input file ends in one line on stderr
/// and exit 2 whatever the verb. Tests run it in process through <see cref="Run"/>.
/// </summary>
public static class RlvrCli
{
    /// <summary>The root command with every verb.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Rlvr: reinforcement learning with verifiable rewards, in C#.");
        foreach (var command in new[]
        {
            TrainCommand.Create(),
            DemoCommand.Create(),
            EvalCommand.Create(),
            AnalyzeCommand.Create(),
            GradeCommand.Create(),
            LabelCommand.Create(),
            DataCommand.Create(),
            GenerateCommand.Create(),
            DownloadCommand.Create(),
            BenchCommand.Create(),
            VersionCommand.Create(),
        })
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit status (see README: 0 done, 2 bad input, ...).</summary>
    public static int Run(string[] args) => CliErrors.Invoke(Build().Parse(args));
}
