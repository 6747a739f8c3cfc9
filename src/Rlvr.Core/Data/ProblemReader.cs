using System.Text.Json;

namespace Rlvr.Core.Data;

/// <summary>How rows of a file become <see cref="Problem"/>s.</summary>
/// <param name="Keys">Which fields hold the problem, label, id and source.</param>
/// <param name="Split">The split the problems are tagged with.</param>
/// <param name="DefaultSource">The source given to rows without a source field.</param>
/// <param name="SkipInvalid">Skip (and count) rows with a missing, empty or mistyped problem or label instead of failing.</param>
/// <param name="IdPrefix">Put before every id (used where files are concatenated and ids repeat, e.g. "level3/").</param>
/// <param name="AllowEmptyLabel">Accept an empty label string (upstream's majority-vote sets have them); a missing label still fails.</param>
public sealed record ProblemReadOptions(
    RowKeys Keys,
    DatasetSplit Split,
    string DefaultSource,
    bool SkipInvalid = false,
    string IdPrefix = "",
    bool AllowEmptyLabel = false);

/// <summary>The problems of one file plus the rows that were skipped (only with <see cref="ProblemReadOptions.SkipInvalid"/>).</summary>
public sealed record ProblemFile(string Path, IReadOnlyList<Problem> Problems, IReadOnlyList<string> Skipped);

/// <summary>Turns the rows of one data file into problems, validating every row.</summary>
public static class ProblemReader
{
    public static ProblemFile Read(string path, ProblemReadOptions options)
    {
        var problems = new List<Problem>();
        var skipped = new List<string>();
        foreach (var row in RawRowReader.Read(path))
        {
            var problem = TryConvert(row, options, out var error);
            if (problem != null)
            {
                problems.Add(problem);
                continue;
            }
            var message = $"{path}: {row.Where}: {error}";
            if (!options.SkipInvalid) throw new DatasetException(message);
            skipped.Add(message);
        }
        return new ProblemFile(path, problems, skipped);
    }

    private static Problem? TryConvert(RawRow row, ProblemReadOptions options, out string? error)
    {
        var keys = options.Keys;
        var value = row.Value;
        if (value.ValueKind != JsonValueKind.Object)
        {
            error = $"is {RowFields.Describe(value.ValueKind)}; expected an object with keys '{keys.Input}' and '{keys.Label}'";
            return null;
        }

        var prompt = Required(value, keys.Input, isPrompt: true, allowEmpty: false, out error);
        if (prompt == null) return null;
        var label = Required(value, keys.Label, isPrompt: false, options.AllowEmptyLabel, out error);
        if (label == null) return null;

        var id = row.Index.ToString();
        if (RowFields.TryFind(value, keys.Id, out var idValue) && idValue.ValueKind != JsonValueKind.Null)
        {
            id = RowFields.ScalarText(idValue, out var idProblem) ?? "";
            if (idProblem != null)
            {
                error = $"key '{keys.Id}' {idProblem}";
                return null;
            }
        }

        var source = options.DefaultSource;
        if (RowFields.TryFind(value, keys.Source, out var sourceValue) && sourceValue.ValueKind == JsonValueKind.String)
        {
            source = sourceValue.GetString()!;
        }

        error = null;
        return new Problem(options.IdPrefix + id, prompt, label, source, options.Split);
    }

    private static string? Required(JsonElement row, string key, bool isPrompt, bool allowEmpty, out string? error)
    {
        if (!RowFields.TryFind(row, key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            error = $"missing key '{key}' (keys present: {RowFields.KeyList(row)})";
            return null;
        }
        string? problem;
        var text = isPrompt ? RowFields.PromptText(value, out problem) : RowFields.ScalarText(value, out problem);
        if (problem != null)
        {
            error = $"key '{key}' {problem}";
            return null;
        }
        if (string.IsNullOrWhiteSpace(text) && !allowEmpty)
        {
            error = $"key '{key}' is empty";
            return null;
        }
        error = null;
        return text ?? "";
    }
}
