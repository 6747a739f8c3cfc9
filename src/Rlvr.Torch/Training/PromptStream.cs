namespace Rlvr.Torch.Training;

/// <summary>
/// The order in which training prompts are drawn: epoch e is a permutation seeded with (seed, e)
/// (upstream: torch.Generator seeded 42 + episode), or file order without shuffling. The position
/// is a single count, so resuming needs only the number of prompts consumed.
/// </summary>
public sealed class PromptStream<T>(IReadOnlyList<T> items, int seed, bool shuffle)
{
    private int _epoch = -1;
    private int[] _order = [];

    /// <summary>Prompts drawn so far.</summary>
    public long Consumed { get; private set; }

    /// <summary>Moves the position to <paramref name="consumed"/> (resume).</summary>
    public void Seek(long consumed) => Consumed = consumed;

    /// <summary>The next <paramref name="count"/> prompts, wrapping into the next epoch as needed.</summary>
    public IReadOnlyList<T> Next(int count)
    {
        if (items.Count == 0) throw new InvalidOperationException("the training set is empty");
        var result = new List<T>(count);
        for (int i = 0; i < count; i++)
        {
            int epoch = (int)(Consumed / items.Count);
            int index = (int)(Consumed % items.Count);
            if (epoch != _epoch) { _order = Order(epoch); _epoch = epoch; }
            result.Add(items[_order[index]]);
            Consumed++;
        }
        return result;
    }

    private int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, items.Count).ToArray();
        if (shuffle) StepRandom.Create(seed, epoch, StepRandom.Stream.Data).Shuffle(order);
        return order;
    }
}
