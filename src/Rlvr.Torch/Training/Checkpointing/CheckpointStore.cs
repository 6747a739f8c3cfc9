using System.Globalization;
using System.Text.Json;

namespace Rlvr.Torch.Training.Checkpointing;

/// <summary>What a training checkpoint records besides the weights and optimizer state.</summary>
/// <param name="Step">Training steps completed (the next step to run is Step + 1).</param>
/// <param name="PromptsConsumed">Prompts drawn from the training data so far (the data position).</param>
/// <param name="Seed">The run's seed (every step's randomness derives from it and the step).</param>
/// <param name="BadStepsInARow">Skipped (NaN/Inf) optimizer steps in a row at save time.</param>
/// <param name="TorchRngState">The global torch CPU generator state (base64), restored on resume.</param>
public sealed record TrainingState(int Step, long PromptsConsumed, int Seed, int BadStepsInARow, string TorchRngState);

/// <summary>
/// Checkpoint folders under <c>&lt;run&gt;/checkpoints/step-NNNNNN</c>. Each is written in full into a
/// hidden temporary sibling and renamed into place, with <c>state.json</c> written last, so a kill at
/// any moment leaves either no new folder or a complete one: <see cref="Latest"/> never returns a
/// half-written checkpoint. Older checkpoints beyond the newest K are deleted after the rename.
/// </summary>
public sealed class CheckpointStore(string directory, int keep)
{
    /// <summary>File holding <see cref="TrainingState"/>.</summary>
    public const string StateFile = "state.json";
    private const string Prefix = "step-";
    private const string TempPrefix = ".tmp-";

    /// <summary>The checkpoints folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>
    /// Writes checkpoint <paramref name="state"/>.Step: <paramref name="writeContents"/> fills the
    /// temporary folder it is given (model, optimizer), then the state file goes in and the folder is
    /// renamed. Returns the final folder.
    /// </summary>
    public string Save(TrainingState state, Action<string> writeContents)
    {
        var temp = Prepare(state.Step);
        writeContents(temp);
        return Commit(state);
    }

    /// <summary>
    /// The temporary folder of checkpoint <paramref name="step"/>, made empty. Several ranks fill it, each
    /// with its part (their files appear there only complete: written beside, then renamed), before one
    /// calls <see cref="Commit"/>: a checkpoint is complete only once every rank's part is in.
    /// </summary>
    public string Prepare(int step)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = TempPath(step);
        if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
        System.IO.Directory.CreateDirectory(temp);
        return temp;
    }

    /// <summary>The temporary folder <see cref="Prepare"/> makes for <paramref name="step"/>.</summary>
    public string TempPath(int step) => Path.Combine(Directory, TempPrefix + Name(step));

    private static string Name(int step) => Prefix + step.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Writes the state file into the prepared folder and renames the folder into place; returns it.</summary>
    public string Commit(TrainingState state)
    {
        var temp = TempPath(state.Step);
        var final = Path.Combine(Directory, Name(state.Step));
        var stateTemp = Path.Combine(temp, StateFile + ".tmp");
        File.WriteAllText(stateTemp, JsonSerializer.Serialize(state, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(stateTemp, Path.Combine(temp, StateFile));
        if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
        System.IO.Directory.Move(temp, final);
        Prune();
        return final;
    }

    /// <summary>The newest complete checkpoint, or null when there is none.</summary>
    public (string Path, TrainingState State)? Latest()
    {
        foreach (var dir in Complete().OrderByDescending(d => d.Step))
        {
            try
            {
                var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(dir.Path, StateFile)));
                if (state is not null) return (dir.Path, state);
            }
            catch (JsonException) { /* unreadable: fall back to an older one */ }
        }
        return null;
    }

    /// <summary>Removes temporary folders a killed run left behind.</summary>
    public void RemoveLeftovers()
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var temp in System.IO.Directory.GetDirectories(Directory, TempPrefix + "*"))
            System.IO.Directory.Delete(temp, recursive: true);
    }

    private IEnumerable<(string Path, int Step)> Complete()
    {
        if (!System.IO.Directory.Exists(Directory)) yield break;
        foreach (var dir in System.IO.Directory.GetDirectories(Directory, Prefix + "*"))
        {
            var suffix = Path.GetFileName(dir)[Prefix.Length..];
            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var step)
                && File.Exists(Path.Combine(dir, StateFile)))
                yield return (dir, step);
        }
    }

    private void Prune()
    {
        foreach (var old in Complete().OrderByDescending(d => d.Step).Skip(keep))
            System.IO.Directory.Delete(old.Path, recursive: true);
    }
}
