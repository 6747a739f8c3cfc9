using System.Runtime.InteropServices;
using Rlvr.Torch.Training;

namespace Rlvr.Cli.Commands;

/// <summary>
/// What Ctrl-C (SIGINT) and SIGTERM (a Slurm preemption, `kill`) do to `rlvr train`: the first one asks the
/// trainer to stop after the step in flight (<see cref="StopRequest"/>): it finishes that step, writes a
/// checkpoint of it and exits 130 (SIGINT) or 143 (SIGTERM), so `--resume` loses nothing. A second one
/// stops the process at once (the signal's default action), losing the step in flight.
/// </summary>
internal sealed class TrainSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    private TrainSignals(StopRequest stop)
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, stop, "SIGINT", 130)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, stop, "SIGTERM", 143)),
        ];
    }

    /// <summary>Routes SIGINT and SIGTERM to <paramref name="stop"/> until disposed.</summary>
    public static TrainSignals Register(StopRequest stop) => new(stop);

    private static void OnSignal(PosixSignalContext context, StopRequest stop, string name, int exitCode)
    {
        if (stop.Request(name, exitCode))
        {
            context.Cancel = true;  // keep running: the trainer stops between steps
            Console.Error.WriteLine($"{name}: finishing the current step, then writing a checkpoint and exiting {exitCode} " +
                "(--resume continues); send it again to stop at once");
        }
        else
        {
            Console.Error.WriteLine($"{name} again: stopping at once (the step in flight is lost; the newest checkpoint is kept)");
            context.Cancel = false;  // the default action: the process ends now
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}
