using System.CommandLine;

namespace Rlvr.Cli.Commands;

/// <summary>`rlvr data`: the datasets (list) and the exact prompts a model receives (show).</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "List the shipped datasets or show rendered prompts.");
        command.Subcommands.Add(DataListCommand.Create());
        command.Subcommands.Add(DataShowCommand.Create());
        return command;
    }
}
