namespace Rlvr.Core.IO;

/// <summary>
/// Writes a file so that it appears whole or not at all: the content goes to a hidden temporary file in
/// the same folder (so the rename stays on one file system), which then replaces the target in one rename.
/// A crash or an exception while writing leaves any earlier file untouched and no temporary file behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/>, creating its folder.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        });

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, creating its folder.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>
    /// Lets <paramref name="write"/> fill a stream, then moves the result to <paramref name="path"/>
    /// (creating its folder). If <paramref name="write"/> throws, nothing is moved and the exception propagates.
    /// </summary>
    public static void Write(string path, Action<Stream> write, int bufferSize = 4096)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        // Process id and a GUID: two writers of one path (threads or processes) never share a temp file.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize))
            {
                write(stream);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
