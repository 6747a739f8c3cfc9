using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace Rlvr.Core.Data;

/// <summary>Reads a Parquet file's rows as JSON so that key lookup works the same for every format.
/// Nested columns (lists, structs: verl's `prompt` messages and `reward_model`) keep their shape.</summary>
public static class ParquetRowReader
{
    public static IReadOnlyList<RawRow> Read(string path)
    {
        IList<Dictionary<string, object>> data;
        try
        {
            using var stream = File.OpenRead(path);
            data = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult().Data;
        }
        catch (Exception e) when (e is not DatasetException)
        {
            throw new DatasetException($"{path}: not a readable Parquet file: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        var rows = new List<RawRow>(data.Count);
        foreach (var row in data)
        {
            var json = ToNode(row)!.ToJsonString();
            using var document = JsonDocument.Parse(json);
            rows.Add(new RawRow(rows.Count, null, document.RootElement.Clone()));
        }
        return rows;
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        ReadOnlyMemory<char> m => JsonValue.Create(m.ToString()),
        bool b => JsonValue.Create(b),
        int or long or short or sbyte or byte or uint or ulong or ushort => JsonValue.Create(Convert.ToInt64(value)),
        float or double or decimal => JsonValue.Create(Convert.ToDouble(value)),
        IDictionary<string, object> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
        IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToNode).ToArray()),
        _ => JsonValue.Create(value.ToString()),
    };
}
