using static TorchSharp.torch;

namespace Rlvr.Torch.Distributed;

/// <summary>The world of one process: every collective is the identity, and no MPI library is loaded.</summary>
public sealed class SingleProcessCollectives : ICollectives
{
    /// <inheritdoc/>
    public World World => World.Single;

    /// <inheritdoc/>
    public CollectiveCounters Counters { get; } = new();

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values) { }

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values) { }

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor) { }

    /// <inheritdoc/>
    public void ReduceSum(Tensor tensor, int root) { }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root) { }

    /// <inheritdoc/>
    public byte[][] AllGather(ReadOnlySpan<byte> mine) => [mine.ToArray()];

    /// <inheritdoc/>
    public void Barrier() { }

    /// <inheritdoc/>
    public void Abort(int exitCode) => Environment.Exit(exitCode);

    /// <inheritdoc/>
    public void Dispose() { }
}
