namespace Rlvr.Tests;

/// <summary>Locates files checked into the repository (data, fixtures, vectors) from a test run.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test binary that holds Rlvr.slnx.</summary>
    public static string Root { get; } = FindRoot();

    public static string Data(params string[] parts) => Path.Combine([Root, "data", .. parts]);
    public static string Fixtures(params string[] parts) => Path.Combine([Root, "tests", "fixtures", .. parts]);
    public static string Vectors(params string[] parts) => Path.Combine([Root, "tests", "vectors", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rlvr.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Rlvr.slnx not found above {AppContext.BaseDirectory}");
    }
}
