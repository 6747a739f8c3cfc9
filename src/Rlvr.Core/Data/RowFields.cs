using System.Text.Json;

namespace Rlvr.Core.Data;

/// <summary>Looks up a key in a row and converts the value to text, or says (in a short phrase) why it cannot.</summary>
internal static class RowFields
{
    /// <summary>Finds <paramref name="key"/> in <paramref name="row"/>: first as a property name, then as a dotted path.</summary>
    public static bool TryFind(JsonElement row, string key, out JsonElement value)
    {
        value = default;
        if (row.ValueKind != JsonValueKind.Object) return false;
        if (row.TryGetProperty(key, out value)) return true;
        if (!key.Contains('.')) return false;
        var current = row;
        foreach (var part in key.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current)) return false;
        }
        value = current;
        return true;
    }

    /// <summary>The text of a problem field: a string, or a list of chat messages (the last user
    /// message's content, as verl stores prompts). Returns null and sets <paramref name="problem"/> otherwise.</summary>
    public static string? PromptText(JsonElement value, out string? problem)
    {
        problem = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Array:
                string? content = null;
                foreach (var message in value.EnumerateArray())
                {
                    if (message.ValueKind == JsonValueKind.Object
                        && message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.GetString() == "user"
                        && message.TryGetProperty("content", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        content = text.GetString();
                    }
                }
                if (content == null) problem = "is a list without a {role: \"user\", content: string} message";
                return content;
            default:
                problem = $"is {Describe(value.ValueKind)}; expected a string or a list of chat messages";
                return null;
        }
    }

    /// <summary>The text of a scalar field: a string as is, a number as written in the file (so "142.0" stays "142.0").</summary>
    public static string? ScalarText(JsonElement value, out string? problem)
    {
        problem = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String: return value.GetString();
            case JsonValueKind.Number: return value.GetRawText();
            default:
                problem = $"is {Describe(value.ValueKind)}; expected a string or a number";
                return null;
        }
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        _ => kind.ToString(),
    };

    /// <summary>The row's top-level keys, for "keys present: ..." hints.</summary>
    public static string KeyList(JsonElement row) =>
        row.ValueKind == JsonValueKind.Object ? string.Join(", ", row.EnumerateObject().Select(p => p.Name)) : "";
}
