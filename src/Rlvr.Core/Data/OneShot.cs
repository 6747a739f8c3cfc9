namespace Rlvr.Core.Data;

/// <summary>
/// One-shot RLVR (Wang et al., "Reinforcement Learning for Reasoning in Large Language Models with
/// One Training Example"): one example (or a handful) repeated to fill the rollout batch, as the
/// `pi1_r128` file repeats pi1 128 times.
/// </summary>
public static class OneShot
{
    /// <summary>The examples repeated in turn until there are <paramref name="count"/> rows
    /// (e0, e1, ..., e0, e1, ...), so every example appears ⌊count/n⌋ or ⌈count/n⌉ times.</summary>
    public static IReadOnlyList<Problem> Repeat(IReadOnlyList<Problem> examples, int count)
    {
        if (examples.Count == 0) throw new DatasetException("--repeat: the dataset has no rows to repeat");
        if (count < 1) throw new DatasetException($"--repeat {count}: expected a positive number of rows");
        return [.. Enumerable.Range(0, count).Select(i => examples[i % examples.Count])];
    }

    /// <summary>The problems whose id is in <paramref name="ids"/>, in the order the ids are given
    /// (to pick the one-shot example out of a larger set, e.g. pi1 is id 7395 of difficulty level 4).</summary>
    public static IReadOnlyList<Problem> Select(IReadOnlyList<Problem> problems, IReadOnlyList<string> ids)
    {
        var byId = new Dictionary<string, Problem>();
        foreach (var p in problems) byId.TryAdd(p.Id, p);
        return [.. ids.Select(id => byId.TryGetValue(id, out var p)
            ? p
            : throw new DatasetException($"--id {id}: no row with this id in the dataset"))];
    }
}
