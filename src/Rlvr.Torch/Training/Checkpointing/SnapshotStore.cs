using System.Globalization;
using System.Text.Json;
using Rlvr.Core.IO;

namespace Rlvr.Torch.Training.Checkpointing;

/// <summary>How a run that leaves snapshots ended: what an evaluation follower waits for.</summary>
/// <param name="LastStep">The last training step done.</param>
/// <param name="Completed">All steps ran (false: stopped early, e.g. on repeated NaN/Inf updates).</param>
public sealed record RunEnd(int LastStep, bool Completed);

/// <summary>
/// Weight snapshots for evaluation beside training (upstream's "asynchronous evaluation"): light
/// Hugging Face folders (weights, config, tokenizer; no optimizer state) under
/// <c>&lt;run&gt;/snapshots/step-NNNNNN</c>, each written into a hidden temporary sibling and renamed, so a
/// follower only ever sees complete ones. Retention is their own, apart from resume checkpoints: a snapshot
/// is deleted only once it has been evaluated (its step is in eval.jsonl) and <c>keep</c> newer evaluated
/// ones exist; snapshots not yet evaluated are never deleted, so a follower started late loses none.
/// <c>finished.json</c> (a <see cref="RunEnd"/>) says the trainer will write no more.
/// </summary>
public sealed class SnapshotStore(string directory)
{
    /// <summary>The snapshots folder's name in the run folder.</summary>
    public const string FolderName = "snapshots";
    private const string Prefix = "step-", TempPrefix = ".tmp-", FinishedFile = "finished.json";

    /// <summary>The snapshots folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>The store of run folder <paramref name="runDirectory"/>.</summary>
    public static SnapshotStore InRun(string runDirectory) => new(Path.Combine(runDirectory, FolderName));

    /// <summary>Writes snapshot <paramref name="step"/>: <paramref name="writeModel"/> fills the folder it is given; returns the final folder.</summary>
    public string Save(int step, Action<string> writeModel)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = Name(step);
        var temp = Path.Combine(Directory, TempPrefix + name);
        if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
        writeModel(temp);
        var final = Path.Combine(Directory, name);
        if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
        System.IO.Directory.Move(temp, final);
        return final;
    }

    /// <summary>The complete snapshots, oldest first.</summary>
    public IReadOnlyList<(int Step, string Path)> Complete()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var found = new List<(int, string)>();
        foreach (var dir in System.IO.Directory.GetDirectories(Directory, Prefix + "*"))
            if (int.TryParse(Path.GetFileName(dir)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                found.Add((step, dir));
        return found.OrderBy(s => s.Item1).ToArray();
    }

    /// <summary>Deletes evaluated snapshots beyond the newest <paramref name="keep"/> evaluated ones.</summary>
    public void Prune(IReadOnlySet<int> evaluated, int keep)
    {
        foreach (var (_, path) in Complete().Where(s => evaluated.Contains(s.Step)).Reverse().Skip(keep))
            System.IO.Directory.Delete(path, recursive: true);
    }

    /// <summary>Removes temporary folders a killed run left, and a previous end marker (the run goes on).</summary>
    public void Reopen()
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var temp in System.IO.Directory.GetDirectories(Directory, TempPrefix + "*"))
            System.IO.Directory.Delete(temp, recursive: true);
        File.Delete(Path.Combine(Directory, FinishedFile));
    }

    /// <summary>Records that the trainer will write no more snapshots.</summary>
    public void MarkFinished(RunEnd end)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(Path.Combine(Directory, FinishedFile), JsonSerializer.Serialize(end));
    }

    /// <summary>How the run ended, or null while it goes on.</summary>
    public RunEnd? Finished()
    {
        var path = Path.Combine(Directory, FinishedFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<RunEnd>(File.ReadAllText(path)) : null;
    }

    private static string Name(int step) => Prefix + step.ToString("D6", CultureInfo.InvariantCulture);
}
