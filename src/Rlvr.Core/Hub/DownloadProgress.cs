using System.Diagnostics;
using System.Globalization;

namespace Rlvr.Core.Hub;

/// <summary>
/// Progress of one file's transfer on a text stream (stderr): bytes so far of the total, the rate and the time
/// left, at most every half second; redrawn in place on a terminal, one line per update otherwise (logs).
/// </summary>
public sealed class DownloadProgress(TextWriter output, bool inPlace, TimeSpan? interval = null)
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromSeconds(0.5);
    private readonly Stopwatch _clock = new();
    private TimeSpan _lastShown;
    private string _file = "";
    private long _resumedFrom;
    private long? _total;

    public void Start(string file, long resumedFrom, long? total)
    {
        (_file, _resumedFrom, _total) = (file, resumedFrom, total);
        _lastShown = TimeSpan.Zero;
        _clock.Restart();
    }

    public void Report(long bytes)
    {
        if (_clock.Elapsed - _lastShown < _interval) return;
        _lastShown = _clock.Elapsed;
        Show(bytes, done: false);
    }

    public void Finish(long bytes) => Show(bytes, done: true);

    private void Show(long bytes, bool done)
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        var rate = (bytes - _resumedFrom) / seconds;
        var of = _total is long t ? $" / {Bytes(t)}" : "";
        var left = _total is long total && rate > 0 && !done ? $", {Duration((total - bytes) / rate)} left" : "";
        var resumed = _resumedFrom > 0 ? $" (resumed at {Bytes(_resumedFrom)})" : "";
        var line = $"{_file}: {Bytes(bytes)}{of} at {Bytes((long)rate)}/s{left}{resumed}{(done ? " done" : "")}";
        if (inPlace) output.Write($"\r{line}\u001b[K{(done ? "\n" : "")}");
        else output.WriteLine(line);
        output.Flush();
    }

    public static string Bytes(long n)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = n;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1) (value, unit) = (value / 1000, unit + 1);
        return unit == 0 ? $"{n} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static string Duration(double seconds) =>
        seconds >= 3600 ? $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):00}m"
        : seconds >= 60 ? $"{(int)(seconds / 60)}m{(int)(seconds % 60):00}s"
        : $"{Math.Ceiling(seconds):0}s";
}
