using System.Runtime.InteropServices;

namespace Rlvr.Cli.Commands;

/// <summary>What the bench verbs print about the machine, so that recorded numbers say where they came from.</summary>
internal static class BenchMachine
{
    /// <summary>The CPU model name from /proc/cpuinfo, or the process architecture where that cannot be read.</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString(); // not Linux, or /proc hidden
        }
    }
}
