using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace Rlvr.Torch.Checkpoints;

/// <summary>One tensor's header entry: dtype, shape and byte range within the data section.</summary>
public sealed record SafeTensorEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

/// <summary>
/// Reads a .safetensors file: 8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets}}, an optional "__metadata__" map, then raw little-endian bytes.
/// Tensors are streamed from the file straight into tensor memory, one at a time, so a 7B model never
/// needs a second copy of the file in memory.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, SafeFileHandle handle, long dataStart,
        Dictionary<string, SafeTensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries { get; }

    /// <summary>The "__metadata__" map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates the header; a tensor whose bytes lie past the end of the file fails here, named.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: weight file not found.", path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var fileLength = RandomAccess.GetLength(handle);
            Span<byte> prefix = stackalloc byte[8];
            if (fileLength < 8 || RandomAccess.Read(handle, prefix, 0) != 8)
                throw new InvalidDataException($"{path}: too short to be a safetensors file.");
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > 100_000_000 || 8 + (long)headerLength > fileLength)
                throw new InvalidDataException($"{path}: header length {headerLength} does not fit a file of {fileLength} bytes (truncated or not safetensors).");
            var headerBytes = new byte[headerLength];
            RandomAccess.Read(handle, headerBytes, 8);
            var dataStart = 8 + (long)headerLength;
            var (entries, metadata) = ParseHeader(headerBytes, path);
            foreach (var entry in entries.Values.OrderBy(e => e.Begin))
            {
                if (dataStart + entry.End > fileLength)
                    throw new InvalidDataException(
                        $"{path}: tensor '{entry.Name}' needs bytes {entry.Begin}..{entry.End} of the data section but the file ends at {fileLength - dataStart} (truncated).");
            }
            return new SafeTensorsFile(path, handle, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static (Dictionary<string, SafeTensorEntry>, Dictionary<string, string>) ParseHeader(byte[] header, string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(Encoding.UTF8.GetString(header).TrimEnd(' ', '\0')) as JsonObject
                ?? throw new InvalidDataException($"{path}: safetensors header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON ({e.Message}).", e);
        }
        var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in root)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta)
                    foreach (var (key, value) in meta) metadata[key] = value?.ToString() ?? "";
                continue;
            }
            var source = $"{path}: tensor '{name}'";
            if (node is not JsonObject info) throw new InvalidDataException($"{source}: entry is not an object.");
            var dtype = SafeTensorsDType.ToTorch(info["dtype"]?.GetValue<string>() ?? "", source);
            var shape = (info["shape"] as JsonArray)?.Select(n => n!.GetValue<long>()).ToArray()
                ?? throw new InvalidDataException($"{source}: 'shape' missing.");
            var offsets = (info["data_offsets"] as JsonArray)?.Select(n => n!.GetValue<long>()).ToArray();
            if (offsets is not { Length: 2 }) throw new InvalidDataException($"{source}: 'data_offsets' must hold two numbers.");
            var expected = shape.Aggregate(1L, (a, b) => a * b) * SafeTensorsDType.ElementSize(dtype);
            if (offsets[1] - offsets[0] != expected)
                throw new InvalidDataException($"{source}: {offsets[1] - offsets[0]} bytes for shape [{string.Join(",", shape)}] {dtype} (expected {expected}).");
            entries[name] = new SafeTensorEntry(name, dtype, shape, offsets[0], offsets[1]);
        }
        return (entries, metadata);
    }

    /// <summary>Reads one tensor into a new CPU tensor of the file's dtype and shape.</summary>
    public Tensor Read(string name)
    {
        if (!Entries.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"{Path}: tensor '{name}' is missing.");
        var result = empty(entry.Shape, entry.DType, CPU);
        try
        {
            TensorMemory.ReadInto(result, _handle, _dataStart + entry.Begin, $"{Path}: tensor '{name}'");
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    public void Dispose() => _handle.Dispose();
}
