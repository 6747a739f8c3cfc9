namespace Rlvr.Torch.Tests.Hub;

/// <summary>
/// A cache tree written as the lines of tests/fixtures/hub-cache/*-layout.txt: "d PATH", "f PATH SIZE",
/// "l PATH -> TARGET", "r PATH CONTENT" (files under refs/), paths relative to the cache root, .locks/ left out.
/// </summary>
internal static class CacheLayout
{
    public static SortedSet<string> Describe(string cacheRoot)
    {
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(cacheRoot).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(cacheRoot, entry.FullName).Replace('\\', '/');
            if (relative.StartsWith(".locks", StringComparison.Ordinal)) continue;
            lines.Add(entry switch
            {
                _ when entry.LinkTarget is { } target => $"l {relative} -> {target}",
                DirectoryInfo => $"d {relative}",
                FileInfo file when relative.Split('/') is [_, "refs", ..] => $"r {relative} {File.ReadAllText(file.FullName)}",
                FileInfo file => $"f {relative} {file.Length}",
                _ => throw new InvalidOperationException(relative),
            });
        }
        return lines;
    }

    public static SortedSet<string> ReadFixture(string path) =>
        new(File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')), StringComparer.Ordinal);
}
