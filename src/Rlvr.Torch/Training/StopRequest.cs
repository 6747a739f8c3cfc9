namespace Rlvr.Torch.Training;

/// <summary>
/// A request to stop training between steps, set from a signal handler (Ctrl-C, or the SIGTERM a Slurm
/// preemption sends) and read by <see cref="GrpoTrainer"/> after each step: the step in flight finishes,
/// a checkpoint of it is written, and the run ends with <see cref="ExitCode"/> (130 for SIGINT, 143 for
/// SIGTERM, the shells' 128 + signal number), so `--resume` loses nothing.
/// </summary>
public sealed class StopRequest
{
    private int _exitCode;  // 0 until requested
    private string? _reason;

    /// <summary>Whether a stop was requested.</summary>
    public bool IsRequested => Volatile.Read(ref _exitCode) != 0;

    /// <summary>The exit status the stopped run should end with (0 when none was requested).</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>What asked for the stop ("SIGTERM"), null when nothing did.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Records the request; true for the first one, false when a stop was already requested
    /// (the caller then stops at once: a second Ctrl-C means "now").</summary>
    public bool Request(string reason, int exitCode)
    {
        if (exitCode == 0) throw new ArgumentOutOfRangeException(nameof(exitCode), "a stop needs a non-zero exit status");
        Volatile.Write(ref _reason, reason);
        return Interlocked.CompareExchange(ref _exitCode, exitCode, 0) == 0;
    }
}
