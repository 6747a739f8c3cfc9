using Rlvr.Core.Data;
using Rlvr.Core.Templates;

namespace Rlvr.Cli.Commands;

/// <summary>Runs a data or label action, turning the expected input errors into one line on stderr and exit code 2.</summary>
internal static class DataCliErrors
{
    public static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is DatasetException or TemplateException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
