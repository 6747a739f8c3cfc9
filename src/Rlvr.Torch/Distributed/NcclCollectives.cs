using System.Diagnostics;
using Rlvr.Torch.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Distributed;

/// <summary>
/// CUDA tensors over NCCL, everything else over MPI. Bootstrap as nccl-tests and Horovod do: rank 0 asks
/// NCCL for a unique id and MPI carries it to every rank, which then joins the communicator on its GPU
/// (its local rank). At world size 1 no MPI is needed: the control collectives are the one process's. Collectives run on the CUDA default stream, the stream TorchSharp's kernels use, so
/// they are ordered after the kernels that produced the tensor. The host then waits for the stream,
/// polling NCCL's asynchronous error state: an error, or no completion within
/// <see cref="TimeoutSeconds"/> (a dead or stuck peer), aborts the communicator and the whole job with a
/// message, instead of hanging.
/// </summary>
public sealed unsafe class NcclCollectives : ICollectives
{
    /// <summary>Seconds one NCCL collective may take before the job is aborted (RLVR_NCCL_TIMEOUT_S; default 600).</summary>
    public static double TimeoutSeconds => double.TryParse(Environment.GetEnvironmentVariable("RLVR_NCCL_TIMEOUT_S"),
        System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 600;

    private readonly ICollectives _mpi;
    private readonly NcclLibrary _nccl;
    private readonly IntPtr _comm;
    private bool _disposed;

    /// <summary>Joins the NCCL communicator of all ranks of <paramref name="mpi"/>'s world (MPI, or one process), each on GPU local rank.</summary>
    public NcclCollectives(ICollectives mpi)
    {
        _mpi = mpi;
        _nccl = NcclLibrary.Open();
        CheckCuda(_nccl.CudaSetDevice(World.LocalRank), $"cudaSetDevice({World.LocalRank})");
        var id = new NcclUniqueId();
        var bytes = new byte[NcclUniqueId.Bytes];
        if (World.IsLeader)
        {
            Check(_nccl.GetUniqueId(&id), "ncclGetUniqueId");
            new ReadOnlySpan<byte>(id.Internal, NcclUniqueId.Bytes).CopyTo(bytes);
        }
        var fromLeader = mpi.AllGather(bytes)[0];
        fromLeader.CopyTo(new Span<byte>(id.Internal, NcclUniqueId.Bytes));
        IntPtr comm;
        Check(_nccl.CommInitRank(&comm, World.Size, id, World.Rank), "ncclCommInitRank");
        _comm = comm;
    }

    /// <inheritdoc/>
    public World World => _mpi.World;

    /// <inheritdoc/>
    public CollectiveCounters Counters => _mpi.Counters;

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values) => _mpi.AllReduceSum(values);

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values) => _mpi.AllReduceSum(values);

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CUDA) { _mpi.AllReduceSum(tensor); return; }
        var (type, pointer) = (DataType(tensor), TensorMemory.DevicePointer(tensor));
        Run(() => _nccl.AllReduce(pointer, pointer, (nuint)tensor.numel(), type, NcclLibrary.Sum, _comm, IntPtr.Zero),
            "ncclAllReduce", TensorMemory.ByteLength(tensor));
    }

    /// <inheritdoc/>
    public void ReduceSum(Tensor tensor, int root)
    {
        if (tensor.device_type != DeviceType.CUDA) { _mpi.ReduceSum(tensor, root); return; }
        var (type, pointer) = (DataType(tensor), TensorMemory.DevicePointer(tensor));
        Run(() => _nccl.Reduce(pointer, pointer, (nuint)tensor.numel(), type, NcclLibrary.Sum, root, _comm, IntPtr.Zero),
            "ncclReduce", TensorMemory.ByteLength(tensor));
    }

    private static int DataType(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => NcclLibrary.Float32,
        ScalarType.Float64 => NcclLibrary.Float64,
        ScalarType.BFloat16 => NcclLibrary.BFloat16,
        ScalarType.Float16 => NcclLibrary.Float16,
        _ => throw new ArgumentException($"reduction of a {tensor.dtype} tensor"),
    };

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root)
    {
        if (tensor.device_type != DeviceType.CUDA) { _mpi.Broadcast(tensor, root); return; }
        var pointer = TensorMemory.DevicePointer(tensor);
        var bytes = TensorMemory.ByteLength(tensor);
        Run(() => _nccl.Broadcast(pointer, pointer, (nuint)bytes, NcclLibrary.Int8, root, _comm, IntPtr.Zero), "ncclBroadcast", bytes);
    }

    /// <inheritdoc/>
    public byte[][] AllGather(ReadOnlySpan<byte> mine) => _mpi.AllGather(mine);

    /// <inheritdoc/>
    public void Barrier() => _mpi.Barrier();

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        _nccl.CommAbort(_comm);
        _mpi.Abort(exitCode);
    }

    /// <summary>Issues one collective on the default stream, then waits for the stream with the error and time checks.</summary>
    private void Run(Func<int> issue, string call, long bytes)
    {
        var clock = Stopwatch.StartNew();
        Check(issue(), call);
        while (true)
        {
            int state = _nccl.CudaStreamQuery(IntPtr.Zero);
            if (state == NcclLibrary.CudaSuccess) break;
            if (state != NcclLibrary.CudaNotReady) Fail($"{call}: CUDA error {state} while waiting for the stream");
            int asyncError;
            Check(_nccl.CommGetAsyncError(_comm, &asyncError), "ncclCommGetAsyncError");
            if (asyncError is not NcclLibrary.Success and not NcclLibrary.InProgress)
                Fail($"{call}: {_nccl.Message(asyncError)} (a peer failed or the network broke)");
            if (clock.Elapsed.TotalSeconds > TimeoutSeconds)
                Fail($"{call}: no completion after {TimeoutSeconds:F0} s (a peer is dead or stuck; RLVR_NCCL_TIMEOUT_S sets the limit)");
            Thread.Sleep(0);
        }
        Counters.Add(clock.Elapsed.TotalSeconds, bytes);
    }

    private void Fail(string message)
    {
        Console.Error.WriteLine($"error (rank {World.Rank} of {World.Size}): {message}; aborting every rank");
        Abort(1);
    }

    private void Check(int code, string call)
    {
        if (code != NcclLibrary.Success) throw new InvalidOperationException($"{call} failed: {_nccl.Message(code)}");
    }

    private static void CheckCuda(int code, string call)
    {
        if (code != NcclLibrary.CudaSuccess) throw new InvalidOperationException($"{call} failed with CUDA error {code}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _nccl.CommDestroy(_comm);
        _mpi.Dispose();
    }
}
