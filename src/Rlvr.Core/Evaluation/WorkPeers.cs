namespace Rlvr.Core.Evaluation;

/// <summary>
/// The processes that share one evaluation or labelling run (data-parallel ranks under mpirun): each does
/// its part of the batches, and they exchange results. Every rank must make the same calls in the same order.
/// </summary>
public interface IWorkPeers
{
    /// <summary>This process's 0-based rank; rank 0 writes the files.</summary>
    int Rank { get; }

    /// <summary>Number of ranks (1: a plain process).</summary>
    int Size { get; }

    /// <summary>Every rank's bytes, indexed by rank.</summary>
    byte[][] AllGather(byte[] mine);
}

/// <summary>One process doing all the work.</summary>
public sealed class SingleWorker : IWorkPeers
{
    /// <summary>The shared instance.</summary>
    public static readonly SingleWorker Instance = new();

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public byte[][] AllGather(byte[] mine) => [mine];
}

/// <summary>
/// Runs a fixed list of batches across ranks in rounds: in round k rank r works on batch k·N + r, then
/// every rank receives every rank's result (serialised by <paramref name="encode"/>), in batch order. A
/// batch's result must depend only on the batch (its seed comes from the batch grid, not the rank), so
/// the results are those of one process, which runs the same list alone.
/// </summary>
public static class LockstepBatches
{
    /// <summary>
    /// Calls <paramref name="work"/> on this rank's batches and <paramref name="received"/> with every batch's
    /// result on every rank, in batch order, after each round.
    /// </summary>
    public static void Run<TBatch, TResult>(IReadOnlyList<TBatch> batches, IWorkPeers peers, Func<TBatch, TResult> work,
        Func<TResult, byte[]> encode, Func<byte[], TResult> decode, Action<TBatch, TResult> received, CancellationToken cancel = default)
    {
        for (int start = 0; start < batches.Count; start += peers.Size)
        {
            cancel.ThrowIfCancellationRequested();
            int mine = start + peers.Rank;
            if (peers.Size == 1)
            {
                received(batches[mine], work(batches[mine]));
                continue;
            }
            var result = mine < batches.Count ? encode(work(batches[mine])) : [];
            var all = peers.AllGather(result);
            for (int r = 0; r < peers.Size && start + r < batches.Count; r++)
                received(batches[start + r], decode(all[r]));
        }
    }
}
