using System.Runtime.InteropServices;

namespace Rlvr.Torch.Distributed;

/// <summary>NCCL's opaque communicator id (NCCL_UNIQUE_ID_BYTES = 128), passed by value to ncclCommInitRank.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NcclUniqueId
{
    public const int Bytes = 128;
    public fixed byte Internal[Bytes];
}

/// <summary>
/// The entry points of NCCL (libnccl.so.2, as it ships inside PyTorch's CUDA wheels and NVIDIA's
/// containers) and of the CUDA runtime that the trainer calls, bound at run time. Enum values are
/// NCCL's (nccl.h): ncclInt8 0, ncclFloat16 6, ncclFloat32 7, ncclFloat64 8, ncclBfloat16 9; ncclSum 0.
/// </summary>
internal sealed unsafe class NcclLibrary
{
    public const int Int8 = 0, Float16 = 6, Float32 = 7, Float64 = 8, BFloat16 = 9, Sum = 0;
    public const int Success = 0, InProgress = 7;
    public const int CudaSuccess = 0, CudaNotReady = 600;

    public readonly delegate* unmanaged<NcclUniqueId*, int> GetUniqueId;
    public readonly delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, int> CommInitRank;
    public readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> AllReduce;
    public readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> Broadcast;
    public readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, int, IntPtr, IntPtr, int> Reduce;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommGetAsyncError;
    public readonly delegate* unmanaged<IntPtr, int> CommAbort, CommDestroy;
    public readonly delegate* unmanaged<int, IntPtr> GetErrorString;
    public readonly delegate* unmanaged<int, int> CudaSetDevice;
    public readonly delegate* unmanaged<IntPtr, int> CudaStreamQuery;

    private NcclLibrary(IntPtr nccl, IntPtr cudart)
    {
        GetUniqueId = (delegate* unmanaged<NcclUniqueId*, int>)NativeLibrary.GetExport(nccl, "ncclGetUniqueId");
        CommInitRank = (delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, int>)NativeLibrary.GetExport(nccl, "ncclCommInitRank");
        AllReduce = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(nccl, "ncclAllReduce");
        Broadcast = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(nccl, "ncclBroadcast");
        Reduce = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(nccl, "ncclReduce");
        CommGetAsyncError = (delegate* unmanaged<IntPtr, int*, int>)NativeLibrary.GetExport(nccl, "ncclCommGetAsyncError");
        CommAbort = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(nccl, "ncclCommAbort");
        CommDestroy = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(nccl, "ncclCommDestroy");
        GetErrorString = (delegate* unmanaged<int, IntPtr>)NativeLibrary.GetExport(nccl, "ncclGetErrorString");
        CudaSetDevice = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(cudart, "cudaSetDevice");
        CudaStreamQuery = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(cudart, "cudaStreamQuery");
    }

    /// <summary>
    /// Loads NCCL (RLVR_NCCL_LIBRARY, else libnccl.so.2 on the loader's path) and the CUDA runtime
    /// (RLVR_CUDART_LIBRARY, else libcudart.so.12 / .11 / libcudart.so).
    /// </summary>
    public static NcclLibrary Open()
    {
        var nccl = Load("RLVR_NCCL_LIBRARY", ["libnccl.so.2", "libnccl.so"], "NCCL");
        var cudart = Load("RLVR_CUDART_LIBRARY", ["libcudart.so.12", "libcudart.so.13", "libcudart.so.11.0", "libcudart.so"], "the CUDA runtime");
        return new NcclLibrary(nccl, cudart);
    }

    private static IntPtr Load(string variable, string[] names, string what)
    {
        var chosen = Environment.GetEnvironmentVariable(variable);
        foreach (var name in string.IsNullOrEmpty(chosen) ? names : [chosen])
            if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        throw new InvalidOperationException($"{what} could not be loaded ({string.Join(", ", names)}): put its folder on LD_LIBRARY_PATH or name the file in {variable}");
    }

    /// <summary>NCCL's message for <paramref name="code"/>.</summary>
    public string Message(int code) => Marshal.PtrToStringAnsi(GetErrorString(code)) ?? $"NCCL error {code}";
}
