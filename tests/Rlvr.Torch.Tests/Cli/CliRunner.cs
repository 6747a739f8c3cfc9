using Rlvr.Cli;

namespace Rlvr.Torch.Tests.Cli;

/// <summary>Tests that redirect the process-wide Console run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>Runs `rlvr ARGS` in process (the same root command and guard as the executable) and captures its output.</summary>
internal static class CliRunner
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Outcome Run(params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        var (capturedOut, capturedErr) = (new StringWriter(), new StringWriter());
        Console.SetOut(capturedOut);
        Console.SetError(capturedErr);
        try
        {
            return new Outcome(RlvrCli.Run(args), capturedOut.ToString(), capturedErr.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
