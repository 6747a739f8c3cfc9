namespace Rlvr.Core.IO;

/// <summary>
/// Marks a run or output folder as in use, so that a second `rlvr train` or `rlvr eval` into it stops at once
/// (naming the process that holds it) instead of both finishing with the folder holding a mix of the two.
/// The mark is a file, <c>.rlvr.lock</c>, made with create-new (atomic: of two processes only one makes it)
/// holding the holder's process id and host. A lock whose process is gone (killed, crashed) is stale and taken
/// over; on another host the holder cannot be checked, so the message says which file to remove.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name inside the folder.</summary>
    public const string FileName = ".rlvr.lock";

    // A lock file still empty after this long belongs to a process that died between creating and writing it.
    private static readonly TimeSpan EmptyGrace = TimeSpan.FromSeconds(10);

    private readonly string _path, _content;

    private RunFolderLock(string path, string content) => (_path, _content) = (path, content);

    /// <summary>Creates <paramref name="folder"/> if needed and locks it for <paramref name="holder"/> (e.g. "rlvr train").</summary>
    /// <exception cref="InvalidOperationException">Another live process holds the folder.</exception>
    /// <exception cref="IOException">The folder is a file or cannot be created or written.</exception>
    public static RunFolderLock Acquire(string folder, string holder)
    {
        folder = Path.GetFullPath(folder);
        if (File.Exists(folder)) throw new IOException($"{folder}: a file is there, expected a folder for the run's output");
        try { Directory.CreateDirectory(folder); }
        catch (UnauthorizedAccessException e) { throw new IOException($"{folder}: cannot create the output folder ({e.Message})"); }
        var path = Path.Combine(folder, FileName);
        var content = $"{Environment.ProcessId} {Environment.MachineName} {holder}";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                using (var writer = new StreamWriter(stream)) writer.Write(content);
                return new RunFolderLock(path, content);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new IOException($"{folder}: cannot write there ({e.Message})");
            }
            catch (IOException) when (File.Exists(path))
            {
                var existing = ReadOrNull(path);
                if (existing is not null && IsStale(path, existing)) { TryDelete(path, existing); continue; }
                throw new InvalidOperationException($"{folder} is in use by {Describe(existing)}; wait for it to end or choose another output folder " +
                    $"(if no run is using it, delete {path})");
            }
        }
        throw new InvalidOperationException($"{folder}: could not take the lock {path} (other processes keep taking it)");
    }

    /// <summary>Releases the folder (only if the lock file is still this one's).</summary>
    public void Dispose() => TryDelete(_path, _content);

    private static bool IsStale(string path, string content)
    {
        if (content.Length == 0) return DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > EmptyGrace;
        var parts = content.Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], out var pid)) return true;  // not ours to keep: unreadable
        if (parts[1] != Environment.MachineName) return false;                        // cannot check another host
        return ProcessLiveness.HasEnded(pid);
    }

    private static string Describe(string? content)
    {
        var parts = (content ?? "").Split(' ', 3);
        return parts.Length == 3 ? $"{parts[2]} (process {parts[0]} on {parts[1]})" : "another process that is starting";
    }

    private static string? ReadOrNull(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return null; }
    }

    private static void TryDelete(string path, string expected)
    {
        try { if (ReadOrNull(path) == expected) File.Delete(path); }
        catch (IOException) { }
    }
}
