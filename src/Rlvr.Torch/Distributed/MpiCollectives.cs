using System.Diagnostics;
using System.Runtime.InteropServices;
using Rlvr.Torch.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Distributed;

/// <summary>
/// Collectives over Open MPI's MPI_COMM_WORLD: host arrays and CPU tensors. A dead rank ends the
/// others: Open MPI's launcher kills every rank of the job when one exits abnormally, and MPI's
/// default error handler aborts the job on a failed call.
/// </summary>
public sealed unsafe class MpiCollectives : ICollectives
{
    // MPI counts are ints: larger buffers go in pieces of this many elements.
    private const int MaxCount = 1 << 30;
    private readonly MpiLibrary _mpi;
    private bool _finalized;

    /// <summary>Initialises MPI and checks that MPI's rank and size agree with the launcher's variables.</summary>
    public MpiCollectives(World expected)
    {
        _mpi = MpiLibrary.Open();
        _mpi.Check(_mpi.CommRank(_mpi.CommWorld, out int rank), "MPI_Comm_rank");
        _mpi.Check(_mpi.CommSize(_mpi.CommWorld, out int size), "MPI_Comm_size");
        if (rank != expected.Rank || size != expected.Size)
            throw new InvalidOperationException($"MPI says rank {rank} of {size}, the launcher's environment says {expected.Rank} of {expected.Size}");
        World = expected;
    }

    /// <inheritdoc/>
    public World World { get; }

    /// <inheritdoc/>
    public CollectiveCounters Counters { get; } = new();

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values)
    {
        fixed (double* p = values) AllReduce((IntPtr)p, values.Length, sizeof(double), _mpi.Double);
    }

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values)
    {
        fixed (float* p = values) AllReduce((IntPtr)p, values.Length, sizeof(float), _mpi.Float);
    }

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor)
    {
        if (tensor.dtype is ScalarType.Float32 or ScalarType.Float64)
        {
            var (pointer, _) = TensorMemory.Region(tensor);
            AllReduce(pointer, tensor.numel(), tensor.dtype == ScalarType.Float32 ? 4 : 8,
                tensor.dtype == ScalarType.Float32 ? _mpi.Float : _mpi.Double);
            return;
        }
        // MPI has no bf16/fp16 sum: reduce an fp32 copy and round back once.
        using var wide = tensor.to(ScalarType.Float32).contiguous();
        AllReduceSum(wide);
        using var noGrad = torch.no_grad();
        tensor.copy_(wide);
    }

    /// <inheritdoc/>
    public void ReduceSum(Tensor tensor, int root)
    {
        if (tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            using var wide = tensor.to(ScalarType.Float32).contiguous(); // MPI has no bf16 sum
            ReduceSum(wide, root);
            using var noGrad = torch.no_grad();
            if (World.Rank == root) tensor.copy_(wide);
            return;
        }
        var (pointer, _) = TensorMemory.Region(tensor);
        int size = tensor.dtype == ScalarType.Float32 ? 4 : 8;
        var type = size == 4 ? _mpi.Float : _mpi.Double;
        var clock = Stopwatch.StartNew();
        long count = tensor.numel();
        for (long done = 0; done < count; done += MaxCount)
        {
            int n = (int)Math.Min(MaxCount, count - done);
            var data = pointer + (nint)(done * size);
            // MPI_Reduce: the root reduces in place (MPI_IN_PLACE as its send buffer); the others only send.
            _mpi.Check(World.Rank == root
                ? _mpi.Reduce(MpiLibrary.InPlace, data, n, type, _mpi.Sum, root, _mpi.CommWorld)
                : _mpi.Reduce(data, IntPtr.Zero, n, type, _mpi.Sum, root, _mpi.CommWorld), "MPI_Reduce");
        }
        Counters.Add(clock.Elapsed.TotalSeconds, count * size);
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root)
    {
        var (pointer, length) = TensorMemory.Region(tensor);
        var clock = Stopwatch.StartNew();
        for (long done = 0; done < length; done += MaxCount)
        {
            int count = (int)Math.Min(MaxCount, length - done);
            _mpi.Check(_mpi.Bcast(pointer + (nint)done, count, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast");
        }
        Counters.Add(clock.Elapsed.TotalSeconds, length);
    }

    /// <inheritdoc/>
    public byte[][] AllGather(ReadOnlySpan<byte> mine)
    {
        var clock = Stopwatch.StartNew();
        int size = World.Size;
        var lengths = new int[size];
        int own = mine.Length;
        fixed (int* l = lengths) _mpi.Check(_mpi.Allgather((IntPtr)(&own), 1, _mpi.Int, (IntPtr)l, 1, _mpi.Int, _mpi.CommWorld), "MPI_Allgather");
        var offsets = new int[size];
        long total = 0;
        for (int r = 0; r < size; r++) { offsets[r] = (int)total; total += lengths[r]; }
        if (total > int.MaxValue) throw new InvalidOperationException($"all-gather of {total} bytes: more than one MPI call carries");
        var all = new byte[Math.Max(1, total)];
        fixed (byte* send = mine)
        fixed (byte* recv = all)
        fixed (int* l = lengths)
        fixed (int* o = offsets)
            _mpi.Check(_mpi.Allgatherv((IntPtr)send, own, _mpi.Byte, (IntPtr)recv, l, o, _mpi.Byte, _mpi.CommWorld), "MPI_Allgatherv");
        Counters.Add(clock.Elapsed.TotalSeconds, own);
        return Enumerable.Range(0, size).Select(r => all.AsSpan(offsets[r], lengths[r]).ToArray()).ToArray();
    }

    /// <inheritdoc/>
    public void Barrier() => _mpi.Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        _mpi.Abort(_mpi.CommWorld, exitCode);
        Environment.Exit(exitCode); // not reached: MPI_Abort ends the process
    }

    private void AllReduce(IntPtr buffer, long count, int elementSize, IntPtr type)
    {
        var clock = Stopwatch.StartNew();
        for (long done = 0; done < count; done += MaxCount)
        {
            int n = (int)Math.Min(MaxCount, count - done);
            _mpi.Check(_mpi.Allreduce(MpiLibrary.InPlace, buffer + (nint)(done * elementSize), n, type, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce");
        }
        Counters.Add(clock.Elapsed.TotalSeconds, count * elementSize);
    }

    /// <summary>Finalises MPI (every rank must get here; a rank that fails calls <see cref="Abort"/> instead).</summary>
    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        _mpi.Finalize();
    }
}
