using Rlvr.Torch.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training.Optimization;

/// <summary>
/// Raw fp32 tensors in a binary stream (shape, then little-endian floats): the optimizer state's
/// format. Private to the trainer; the policy itself is saved as an HF checkpoint. The data is streamed
/// (<see cref="TensorMemory"/>): a 7B model's fp32 embedding master is over 2 GB, more than one array holds.
/// </summary>
internal static class TensorFile
{
    public static void Write(BinaryWriter writer, Tensor tensor)
    {
        using var cpu = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        writer.Write(cpu.shape.Length);
        foreach (var d in cpu.shape) writer.Write(d);
        writer.Flush();
        TensorMemory.WriteTo(cpu, writer.BaseStream);
    }

    /// <summary>Moves past one tensor without reading its data.</summary>
    public static void Skip(BinaryReader reader, string path, string name)
    {
        int rank = reader.ReadInt32();
        long elements = 1;
        for (int i = 0; i < rank; i++) elements *= reader.ReadInt64();
        var stream = reader.BaseStream;
        if (stream.Position + elements * sizeof(float) > stream.Length) throw new InvalidDataException($"{path}: truncated at '{name}'");
        stream.Seek(elements * sizeof(float), SeekOrigin.Current);
    }

    public static void ReadInto(BinaryReader reader, Tensor target, string path, string name)
    {
        int rank = reader.ReadInt32();
        var shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = reader.ReadInt64();
        if (!shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"{path}: '{name}' has shape [{string.Join(",", shape)}], expected [{string.Join(",", target.shape)}]");
        using var cpu = torch.empty(shape, ScalarType.Float32);
        try { TensorMemory.ReadFrom(cpu, reader.BaseStream, path); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{path}: truncated at '{name}'"); }
        target.copy_(cpu);
    }
}
