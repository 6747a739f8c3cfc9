using System.Text.Json;
using Rlvr.Core.Evaluation;
using YamlDotNet.RepresentationModel;

namespace Rlvr.Core.Analysis;

/// <summary>One value of a training curve.</summary>
public readonly record struct CurvePoint(int Step, double Value);

/// <summary>
/// The curves of one training run, read from its folder: metrics.jsonl (one line per step) gives the training reward,
/// the accuracy against the true label, the code-reasoning frequency, the clip fractions (overall and by the old
/// policy's token probability) and the held-out accuracy; eval.jsonl (in-training evaluation of snapshots) gives avg@k
/// per evaluation set. <see cref="Settings"/> is config.yaml flattened to "section.key" = value, which tells which
/// runs are seeds of one condition.
/// </summary>
public sealed record RunCurves(string Folder, IReadOnlyDictionary<string, string> Settings, IReadOnlyDictionary<string, IReadOnlyList<CurvePoint>> Series)
{
    public const string MetricsFile = "metrics.jsonl";
    public const string ConfigFile = "config.yaml";

    /// <summary>Curve names (see <see cref="Read"/>): the panels of <c>rlvr analyze curves</c>.</summary>
    public const string Reward = "reward", Accuracy = "accuracy", CodeFrequency = "code_frequency",
        ClipLow = "clip_low", ClipHigh = "clip_high", ClipBucketPrefix = "clip/", EvalPrefix = "eval/", HeldOut = "eval/held-out";

    /// <summary>The run's seed (run.seed), when its config says.</summary>
    public string? Seed => Settings.GetValueOrDefault("run.seed");

    /// <summary>
    /// Reads <paramref name="folder"/>. Curves: reward (reward_mean), accuracy, code_frequency, clip_low and clip_high
    /// (fractions of response tokens clipped below / above), clip/{bucket} (clipped fraction, both sides, of the
    /// tokens whose old-policy probability is in the bucket), eval/held-out (eval_accuracy where it was measured) and
    /// eval/{set} (avg@k of each eval.jsonl set). Throws a one-line <see cref="InvalidDataException"/> naming the file
    /// and line of a malformed metrics line.
    /// </summary>
    public static RunCurves Read(string folder)
    {
        var metrics = Path.Combine(folder, MetricsFile);
        if (!File.Exists(metrics)) throw new FileNotFoundException($"{folder}: no {MetricsFile} (not a training run folder?)");
        var series = new Dictionary<string, List<CurvePoint>>();
        void Add(string name, int step, double value)
        {
            if (!double.IsFinite(value)) return;
            if (!series.TryGetValue(name, out var list)) series[name] = list = [];
            list.Add(new CurvePoint(step, value));
        }
        var lineNumber = 0;
        foreach (var line in File.ReadLines(metrics))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var row = doc.RootElement;
                var step = row.GetProperty("step").GetInt32();
                foreach (var (key, name) in new[] { ("reward_mean", Reward), ("accuracy", Accuracy), ("code_frequency", CodeFrequency),
                             ("clip_fraction_low", ClipLow), ("clip_fraction_high", ClipHigh), ("eval_accuracy", HeldOut) })
                {
                    if (row.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number) Add(name, step, v.GetDouble());
                }
                if (row.TryGetProperty("clip_by_old_prob", out var buckets) && buckets.ValueKind == JsonValueKind.Object)
                {
                    foreach (var bucket in buckets.EnumerateObject())
                    {
                        // A bucket without tokens has no clip fraction (its 0 would read as "never clipped").
                        if (bucket.Value.GetProperty("tokens").GetDouble() <= 0) continue;
                        Add(ClipBucketPrefix + bucket.Name, step, bucket.Value.GetProperty("low").GetDouble() + bucket.Value.GetProperty("high").GetDouble());
                    }
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // A kill can cut the last line short: only that one is forgiven.
                if (File.ReadLines(metrics).Skip(lineNumber).Any())
                    throw new InvalidDataException($"{metrics} line {lineNumber}: not a metrics record ({e.Message})");
            }
        }
        foreach (var entry in SnapshotEvalLog.Read(folder))
            foreach (var set in entry.Sets)
                Add(EvalPrefix + set.Set, entry.Step, set.AvgAtK);
        return new RunCurves(folder, ReadSettings(Path.Combine(folder, ConfigFile)),
            series.ToDictionary(s => s.Key, s => (IReadOnlyList<CurvePoint>)s.Value.OrderBy(p => p.Step).ToList()));
    }

    /// <summary>config.yaml as "section.key" → scalar text (lists joined with commas); empty when the file is missing.</summary>
    private static Dictionary<string, string> ReadSettings(string path)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return settings;
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        if (yaml.Documents.Count > 0) Flatten(yaml.Documents[0].RootNode, "", settings);
        return settings;
    }

    private static void Flatten(YamlNode node, string prefix, Dictionary<string, string> into)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                    Flatten(value, prefix.Length == 0 ? ((YamlScalarNode)key).Value! : $"{prefix}.{((YamlScalarNode)key).Value}", into);
                break;
            case YamlSequenceNode list:
                into[prefix] = string.Join(",", list.Children.Select(c => c is YamlScalarNode s ? s.Value : c.ToString()));
                break;
            case YamlScalarNode scalar:
                into[prefix] = scalar.Value ?? "";
                break;
        }
    }
}
