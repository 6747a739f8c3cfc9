namespace Rlvr.Core.Data;

/// <summary>
/// Finds the folder of shipped datasets at run time: an explicit folder (the `--data-dir` option),
/// else the RLVR_DATA environment variable, else the data/ folder beside the program (where `dotnet publish`
/// and the installed .NET tool put it), else the data/ folder of the repository the program runs from (the
/// first folder above the executable that holds Rlvr.slnx).
/// </summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "RLVR_DATA";

    /// <summary>The data folder; throws a one-line <see cref="DatasetException"/> saying how to point at it when none is found.</summary>
    public static string Resolve(string? explicitFolder = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitFolder))
        {
            return Directory.Exists(explicitFolder)
                ? Path.GetFullPath(explicitFolder)
                : throw new DatasetException($"--data-dir {explicitFolder}: folder not found");
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new DatasetException($"{EnvironmentVariable}={fromEnvironment}: folder not found");
        }
        var shipped = Path.Combine(AppContext.BaseDirectory, "data");
        if (File.Exists(Path.Combine(shipped, "README.md"))) return shipped;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rlvr.slnx")))
            {
                var data = Path.Combine(dir.FullName, "data");
                if (Directory.Exists(data)) return data;
            }
        }
        throw new DatasetException(
            $"the shipped datasets were not found: no data/ folder beside {AppContext.BaseDirectory} nor beside an Rlvr.slnx above it; " +
            $"pass --data-dir DIR or set {EnvironmentVariable}=DIR");
    }
}
