using System.Runtime.InteropServices;

namespace Rlvr.Torch.Distributed;

/// <summary>
/// The few entry points of Open MPI's C library (libmpi.so.40, Open MPI 4 and 5) that the trainer
/// calls, bound at run time so that a process without a launcher never loads it. In Open MPI's ABI the
/// predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the ADDRESSES of exported globals
/// (<c>ompi_mpi_comm_world</c> and so on), so they are looked up as exports, not read as values. MPICH
/// and its derivatives use integer handles instead: they are not supported.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The library file, as Debian's and Ubuntu's openmpi-bin install it.</summary>
    public const string FileName = "libmpi.so.40";
    /// <summary>Open MPI's MPI_IN_PLACE: ((void *) 1).</summary>
    public static readonly IntPtr InPlace = 1;
    private const int ThreadSerialized = 2; // MPI_THREAD_SERIALIZED: calls come from one thread at a time

    public readonly IntPtr CommWorld, Float, Double, Byte, Int, Sum;
    public readonly delegate* unmanaged<out int, int> Initialized;
    public readonly delegate* unmanaged<IntPtr, IntPtr, int, out int, int> InitThread;
    public readonly delegate* unmanaged<IntPtr, out int, int> CommRank, CommSize;
    public readonly delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int> Allreduce;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int> Bcast;
    public readonly delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, int, IntPtr, int> Reduce;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int, IntPtr, IntPtr, int> Allgather;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int*, int*, IntPtr, IntPtr, int> Allgatherv;
    public readonly delegate* unmanaged<IntPtr, int> Barrier;
    public readonly delegate* unmanaged<IntPtr, int, int> Abort;
    public readonly delegate* unmanaged<int> Finalize;

    private MpiLibrary(IntPtr library)
    {
        IntPtr Export(string name) => NativeLibrary.GetExport(library, name);
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Byte = Export("ompi_mpi_byte");
        Int = Export("ompi_mpi_int");
        Sum = Export("ompi_mpi_op_sum");
        Initialized = (delegate* unmanaged<out int, int>)Export("MPI_Initialized");
        InitThread = (delegate* unmanaged<IntPtr, IntPtr, int, out int, int>)Export("MPI_Init_thread");
        CommRank = (delegate* unmanaged<IntPtr, out int, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, out int, int>)Export("MPI_Comm_size");
        Allreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce");
        Bcast = (delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast");
        Reduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, int, IntPtr, int>)Export("MPI_Reduce");
        Allgather = (delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int, IntPtr, IntPtr, int>)Export("MPI_Allgather");
        Allgatherv = (delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int*, int*, IntPtr, IntPtr, int>)Export("MPI_Allgatherv");
        Barrier = (delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier");
        Abort = (delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort");
        Finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
    }

    /// <summary>Loads the library and initialises MPI (once per process).</summary>
    public static MpiLibrary Open()
    {
        if (!NativeLibrary.TryLoad(FileName, out var handle))
            throw new InvalidOperationException($"this process was started by an MPI launcher but {FileName} (Open MPI) could not be loaded: install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin)");
        var mpi = new MpiLibrary(handle);
        mpi.Check(mpi.Initialized(out int done), "MPI_Initialized");
        if (done == 0) mpi.Check(mpi.InitThread(IntPtr.Zero, IntPtr.Zero, ThreadSerialized, out _), "MPI_Init_thread");
        return mpi;
    }

    /// <summary>Throws on a non-zero MPI return code (with MPI's default error handler errors abort before returning).</summary>
    public void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error {code}");
    }
}
