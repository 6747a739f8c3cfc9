using System.Diagnostics;

namespace Rlvr.Core.IO;

/// <summary>Whether a process on this machine has ended, counting one that has ended but was never reaped.</summary>
public static class ProcessLiveness
{
    /// <summary>
    /// True when no process <paramref name="pid"/> runs here: there is none, or it has exited, or it is a zombie.
    /// A zombie (its parent gone and a container's pid 1 that does not reap: an mpirun rank after its job was torn
    /// down) still answers as alive to <see cref="Process.HasExited"/>; Linux's /proc shows it as state Z (or X).
    /// </summary>
    public static bool HasEnded(int pid)
    {
        if (IsZombie(pid)) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;  // no such process
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat.AsSpan(stat.LastIndexOf(')') + 1).TrimStart();
            return state.Length > 0 && state[0] is 'Z' or 'X';
        }
        catch (IOException) { return false; }              // no /proc (not Linux), or no such process: asked above
        catch (UnauthorizedAccessException) { return false; }
    }
}
