using System.Diagnostics;
using Rlvr.Core.IO;
using Rlvr.Torch.Tests.Training;

namespace Rlvr.Torch.Tests.Distributed;

/// <summary>Starts `rlvr` as N ranks under Open MPI's mpirun (the launcher users run), for the multi-rank tests.</summary>
internal static class MpiRun
{
    /// <summary>mpirun on the PATH, or null.</summary>
    public static readonly string? Launcher = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>Why the multi-rank tests cannot run here (null when they can).</summary>
    public static string? Missing => Launcher is null
        ? "mpirun not found: install Open MPI (apt-get install -y openmpi-bin; .ci/run does it when mpirun is missing)" : null;

    /// <summary>
    /// `mpirun --allow-run-as-root --oversubscribe -np <paramref name="ranks"/> dotnet rlvr.dll <paramref name="arguments"/>`
    /// (oversubscribe: CI has 2 cores, possibly fewer free slots than ranks).
    /// </summary>
    public static Process Start(int ranks, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Launcher ?? throw new InvalidOperationException(Missing))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // Containers often forbid the cross-process memory reads (CMA) Open MPI's shared-memory transport
        // uses for large messages; copying through the shared segment works everywhere.
        if (Environment.GetEnvironmentVariable("OMPI_MCA_btl_vader_single_copy_mechanism") is null)
            info.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", TrainerResumeTests.FindCli() })
            info.ArgumentList.Add(a);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    /// <summary>Runs to the end; returns (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Output, string Error) Run(int ranks, IEnumerable<string> arguments)
    {
        using var process = Start(ranks, arguments);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>The pid of the rank <paramref name="rank"/> process that <paramref name="launcher"/> started (from /proc).</summary>
    public static int RankProcess(Process launcher, int rank)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parent != launcher.Id) continue;
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (IOException) { /* the process ended meanwhile */ }
            catch (UnauthorizedAccessException) { }
        }
        throw new InvalidOperationException($"no rank {rank} process under mpirun pid {launcher.Id}");
    }

    /// <summary>
    /// Waits until process <paramref name="pid"/> has ended (<see cref="ProcessLiveness.HasEnded"/>: a zombie
    /// awaiting reaping counts as ended); false if it still runs after <paramref name="timeout"/>.
    /// </summary>
    public static bool WaitUntilGone(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (ProcessLiveness.HasEnded(pid)) return true;
            Thread.Sleep(100);
        }
        return false;
    }
}

/// <summary>A fact that needs mpirun: skipped, saying why, where Open MPI is not installed.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute() { if (MpiRun.Missing is string why) Skip = why; }
}
