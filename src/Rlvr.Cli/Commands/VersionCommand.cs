using System.CommandLine;

namespace Rlvr.Cli.Commands;

/// <summary>`rlvr version`: prints the tool version (a smoke test for the command wiring).</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the version of rlvr.");
        command.SetAction(_ =>
        {
            Console.WriteLine(typeof(VersionCommand).Assembly.GetName().Version);
            return 0;
        });
        return command;
    }
}
