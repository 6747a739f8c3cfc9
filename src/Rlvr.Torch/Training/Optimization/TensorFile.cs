using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training.Optimization;

/// <summary>
/// Raw fp32 tensors in a binary stream (shape, then little-endian floats): the optimizer state's
/// format. Private to the trainer; the policy itself is saved as an HF checkpoint.
/// </summary>
internal static class TensorFile
{
    public static void Write(BinaryWriter writer, Tensor tensor)
    {
        using var cpu = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        writer.Write(cpu.shape.Length);
        foreach (var d in cpu.shape) writer.Write(d);
        writer.Write(cpu.bytes);
    }

    public static void ReadInto(BinaryReader reader, Tensor target, string path, string name)
    {
        int rank = reader.ReadInt32();
        var shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = reader.ReadInt64();
        if (!shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"{path}: '{name}' has shape [{string.Join(",", shape)}], expected [{string.Join(",", target.shape)}]");
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var bytes = reader.ReadBytes(checked((int)(count * 4)));
        if (bytes.Length != count * 4) throw new InvalidDataException($"{path}: truncated at '{name}'");
        using var cpu = torch.zeros(shape, ScalarType.Float32);
        cpu.bytes = bytes;
        target.copy_(cpu);
    }
}
