using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Rlvr.Torch.Checkpoints;

/// <summary>
/// Raw access to a contiguous CPU tensor's bytes, for streaming file I/O without an intermediate managed
/// array (TorchSharp's Tensor.bytes is a Span, limited to 2 GB; a 7B model's float32 embedding is larger).
/// </summary>
internal static unsafe class TensorMemory
{
    // TorchSharp's own glue library exports the data pointer of a tensor handle.
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);

    private const int ChunkBytes = 1 << 30;

    /// <summary>Fills <paramref name="target"/> (contiguous, CPU) from <paramref name="file"/> at <paramref name="offset"/>.</summary>
    public static void ReadInto(Tensor target, Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, string source)
    {
        var (pointer, length) = Region(target);
        long done = 0;
        while (done < length)
        {
            var count = (int)Math.Min(ChunkBytes, length - done);
            var span = new Span<byte>((byte*)pointer + done, count);
            var read = RandomAccess.Read(file, span, offset + done);
            if (read <= 0) throw new EndOfStreamException($"{source}: file ends early.");
            done += read;
        }
    }

    /// <summary>Fills <paramref name="target"/> (contiguous, CPU) from the next bytes of <paramref name="stream"/>.</summary>
    public static void ReadFrom(Tensor target, Stream stream, string source)
    {
        var (pointer, length) = Region(target);
        long done = 0;
        while (done < length)
        {
            var count = (int)Math.Min(ChunkBytes, length - done);
            var read = stream.ReadAtLeast(new Span<byte>((byte*)pointer + done, count), count, throwOnEndOfStream: false);
            if (read < count) throw new EndOfStreamException($"{source}: file ends early.");
            done += read;
        }
    }

    /// <summary>Writes the bytes of <paramref name="source"/> (contiguous, CPU) to <paramref name="stream"/>.</summary>
    public static void WriteTo(Tensor source, Stream stream)
    {
        var (pointer, length) = Region(source);
        long done = 0;
        while (done < length)
        {
            var count = (int)Math.Min(ChunkBytes, length - done);
            stream.Write(new ReadOnlySpan<byte>((byte*)pointer + done, count));
            done += count;
        }
    }

    /// <summary>The address and byte length of a contiguous CPU tensor's data (file I/O, MPI buffers).</summary>
    internal static (IntPtr Pointer, long Length) Region(Tensor tensor)
    {
        if (tensor.device_type != TorchSharp.DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("expected a contiguous CPU tensor.");
        return (THSTensor_data(tensor.Handle), ByteLength(tensor));
    }

    /// <summary>The device address of a contiguous tensor on any device (NCCL buffers).</summary>
    internal static IntPtr DevicePointer(Tensor tensor)
    {
        if (!tensor.is_contiguous()) throw new ArgumentException("expected a contiguous tensor.");
        return THSTensor_data(tensor.Handle);
    }

    /// <summary>Bytes of a tensor's elements.</summary>
    internal static long ByteLength(Tensor tensor) => tensor.numel() * SafeTensorsDType.ElementSize(tensor.dtype);
}
