using System.CommandLine;

namespace Rlvr.Cli.Commands;

/// <summary>`rlvr bench`: speed measurements, one subcommand per area (each in its own file).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure throughput and print the numbers (bench/RESULTS.md records them by hand, with the machine and command).");
        foreach (var subcommand in new[]
        {
            BenchGradeCommand.Create(),
            BenchGenerateCommand.Create(),
            TrainBenchCommand.Create(),
        })
        {
            command.Subcommands.Add(subcommand);
        }
        return command;
    }
}
