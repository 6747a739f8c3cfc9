using static TorchSharp.torch;

namespace Rlvr.Torch.Distributed;

/// <summary>
/// The few collective operations data-parallel training needs, over all ranks of the world. Every rank
/// must make the same calls in the same order (the MPI rule); a call returns when every rank has made it.
/// Implementations: <see cref="SingleProcessCollectives"/> (one process, loads nothing),
/// <see cref="MpiCollectives"/> (Open MPI: CPU tensors and control data) and <see cref="NcclCollectives"/>
/// (CUDA tensors over NCCL, control data over MPI).
/// </summary>
public interface ICollectives : IDisposable
{
    /// <summary>This process's rank and the world size.</summary>
    World World { get; }

    /// <summary>Time spent in collectives and bytes reduced or moved since the last <see cref="CollectiveCounters.Reset"/>.</summary>
    CollectiveCounters Counters { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over ranks.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>In place, element-wise sum over ranks of a contiguous fp32/fp64/bf16 tensor.</summary>
    void AllReduceSum(Tensor tensor);

    /// <summary>
    /// In place on rank <paramref name="root"/>: the element-wise sum over ranks of a contiguous fp32/fp64/bf16
    /// tensor (ZeRO-2's reduce to the owner); the other ranks' tensors are left as they were.
    /// </summary>
    void ReduceSum(Tensor tensor, int root);

    /// <summary>Copies rank <paramref name="root"/>'s contiguous tensor into the same tensor on every rank.</summary>
    void Broadcast(Tensor tensor, int root);

    /// <summary>Every rank's bytes, indexed by rank (lengths may differ).</summary>
    byte[][] AllGather(ReadOnlySpan<byte> mine);

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>Ends every rank of the world now with <paramref name="exitCode"/> (a rank that cannot go on must not leave the others waiting).</summary>
    void Abort(int exitCode);
}

/// <summary>Time and volume of the collectives, for the per-step metric and bench/RESULTS.md.</summary>
public sealed class CollectiveCounters
{
    /// <summary>Seconds spent inside collective calls.</summary>
    public double Seconds { get; private set; }

    /// <summary>Bytes each rank contributed to reductions, broadcasts and gathers.</summary>
    public long Bytes { get; private set; }

    /// <summary>Adds one call.</summary>
    public void Add(double seconds, long bytes) { Seconds += seconds; Bytes += bytes; }

    /// <summary>Starts a new count (each training step).</summary>
    public void Reset() { Seconds = 0; Bytes = 0; }
}
