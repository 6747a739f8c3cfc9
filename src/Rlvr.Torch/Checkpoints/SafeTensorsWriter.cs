using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Rlvr.Core.IO;
using static TorchSharp.torch;

namespace Rlvr.Torch.Checkpoints;

/// <summary>
/// Writes a .safetensors file (temp file, then rename). The header carries
/// "__metadata__": {"format": "pt"}, which transformers expects, and is padded with spaces to a multiple
/// of 8 bytes so that the data section is aligned. Tensors are converted to <c>dtype</c> and copied to
/// the CPU one at a time.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (name → tensor) in name order, converted to <paramref name="dtype"/> when floating.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, ScalarType? dtype = null)
    {
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            var type = TargetType(tensor, dtype);
            var size = tensor.numel() * SafeTensorsDType.ElementSize(type);
            header[name] = new JsonObject
            {
                ["dtype"] = SafeTensorsDType.FromTorch(type),
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + size)),
            };
            offset += size;
        }
        var headerText = header.ToJsonString();
        var headerBytes = Encoding.UTF8.GetByteCount(headerText);
        var padded = (headerBytes + 7) / 8 * 8;
        var headerBuffer = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(headerBuffer, (ulong)padded);
        Encoding.UTF8.GetBytes(headerText, headerBuffer.AsSpan(8));
        headerBuffer.AsSpan(8 + headerBytes).Fill((byte)' ');

        AtomicFile.Write(path, stream =>
        {
            stream.Write(headerBuffer);
            foreach (var (_, tensor) in ordered)
            {
                using var scope = NewDisposeScope();
                var cpu = tensor.detach().to_type(TargetType(tensor, dtype)).cpu().contiguous();
                TensorMemory.WriteTo(cpu, stream);
            }
        }, bufferSize: 1 << 20);
    }

    /// <summary>Bytes that <see cref="Write"/> stores for <paramref name="tensor"/>.</summary>
    public static long DataSize(Tensor tensor, ScalarType? dtype) =>
        tensor.numel() * SafeTensorsDType.ElementSize(TargetType(tensor, dtype));

    private static ScalarType TargetType(Tensor tensor, ScalarType? dtype) =>
        dtype is { } d && tensor.is_floating_point() ? d : tensor.dtype;
}
