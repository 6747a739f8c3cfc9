using System.Diagnostics;
using Rlvr.Core.IO;

namespace Rlvr.Core.Tests;

public sealed class RunFolderLockTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rlvr-lock-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_second_holder_is_refused_naming_the_first_and_the_folder_is_free_again_after_release()
    {
        using (RunFolderLock.Acquire(_folder, "rlvr train"))
        {
            var refused = Assert.Throws<InvalidOperationException>(() => RunFolderLock.Acquire(_folder, "rlvr train"));
            Assert.Contains(Path.GetFullPath(_folder), refused.Message);
            Assert.Contains($"rlvr train (process {Environment.ProcessId} on {Environment.MachineName})", refused.Message);
        }
        Assert.False(File.Exists(Path.Combine(_folder, RunFolderLock.FileName)));
        using var again = RunFolderLock.Acquire(_folder, "rlvr eval");
    }

    [Fact]
    public void The_lock_of_a_process_that_is_gone_is_taken_over()
    {
        // A real process that has exited: its id names no live process (until the system reuses it).
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, RunFolderLock.FileName);
        File.WriteAllText(path, $"{gone.Id} {Environment.MachineName} rlvr train");
        using (RunFolderLock.Acquire(_folder, "rlvr train"))
            Assert.StartsWith($"{Environment.ProcessId} ", File.ReadAllText(path));
    }

    [Fact]
    public void A_lock_from_another_host_is_kept_since_its_process_cannot_be_checked()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, RunFolderLock.FileName), $"1 some-other-host rlvr train");
        var refused = Assert.Throws<InvalidOperationException>(() => RunFolderLock.Acquire(_folder, "rlvr train"));
        Assert.Contains("process 1 on some-other-host", refused.Message);
    }

    [Fact]
    public void A_file_where_the_folder_should_be_is_named()
    {
        File.WriteAllText(_folder, "x");
        try
        {
            var error = Assert.Throws<IOException>(() => RunFolderLock.Acquire(_folder, "rlvr eval"));
            Assert.Contains("a file is there", error.Message);
        }
        finally { File.Delete(_folder); }
    }
}
