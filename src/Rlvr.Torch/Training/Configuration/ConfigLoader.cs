using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Rlvr.Torch.Training.Configuration;

/// <summary>
/// Reads a <see cref="TrainConfig"/> from YAML: a preset may start with <c>extends: other.yaml</c>
/// (deep-merged, this file wins), then <c>--set a.b=value</c> overrides apply in order. Keys missing
/// everywhere keep the defaults in code; unknown keys are errors naming the file and key.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Name of the embedded default preset.</summary>
    public const string DefaultPreset = "tiny-cpu";

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>Loads <paramref name="path"/> (or the embedded preset of that name) and applies <paramref name="overrides"/>.</summary>
    public static TrainConfig Load(string? path, IEnumerable<string>? overrides = null)
    {
        var (root, origin) = path is null ? ReadPreset(DefaultPreset, null) : ReadFileOrPreset(path);
        return Bind(root, ApplyOverrides(root, overrides, origin));
    }

    /// <summary>Parses YAML text (no <c>extends</c> resolution beyond embedded presets) plus overrides.</summary>
    public static TrainConfig Parse(string yaml, IEnumerable<string>? overrides = null, string origin = "<text>")
    {
        var root = Resolve(ParseMapping(yaml, origin), null, origin, 0);
        return Bind(root, ApplyOverrides(root, overrides, origin));
    }

    /// <summary>The configuration as YAML (what is written to the run folder and printed at start).</summary>
    public static string ToYaml(TrainConfig config) => Serializer.Serialize(config);

    /// <summary>Names of the presets embedded in the assembly (configs/*.yaml).</summary>
    public static IReadOnlyList<string> EmbeddedPresets => typeof(ConfigLoader).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("configs/") && n.EndsWith(".yaml"))
        .Select(n => n["configs/".Length..^".yaml".Length]).Order().ToArray();

    private static (YamlMappingNode Root, string Origin) ReadFileOrPreset(string path)
    {
        if (File.Exists(path))
        {
            var full = Path.GetFullPath(path);
            return (Resolve(ParseMapping(File.ReadAllText(full), full), Path.GetDirectoryName(full), full, 0), full);
        }
        if (!path.Contains('/') && !path.EndsWith(".yaml") && EmbeddedPresets.Contains(path)) return ReadPreset(path, null);
        throw new FileNotFoundException($"config '{path}': no such file, and not a preset (presets: {string.Join(", ", EmbeddedPresets)})");
    }

    private static (YamlMappingNode, string) ReadPreset(string name, string? directory)
    {
        var text = EmbeddedText(name) ?? throw new FileNotFoundException($"preset '{name}' is not embedded");
        var origin = $"preset {name}";
        return (Resolve(ParseMapping(text, origin), directory, origin, 0), origin);
    }

    private static string? EmbeddedText(string name)
    {
        using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream($"configs/{name}.yaml");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static YamlMappingNode ParseMapping(string yaml, string origin)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new InvalidDataException($"{origin}: line {e.Start.Line}: {e.Message}"); }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new InvalidDataException($"{origin}: expected a mapping of sections at the top level");
    }

    // Follows `extends:` (a file relative to this one, else an embedded preset), merging this file over it.
    private static YamlMappingNode Resolve(YamlMappingNode node, string? directory, string origin, int depth)
    {
        var key = new YamlScalarNode("extends");
        if (!node.Children.TryGetValue(key, out var parentNode)) return node;
        if (depth > 8) throw new InvalidDataException($"{origin}: 'extends' nests too deep (a cycle?)");
        node.Children.Remove(key);
        var parentName = ((YamlScalarNode)parentNode).Value!;
        YamlMappingNode parent;
        var candidate = directory is null ? null : Path.Combine(directory, parentName);
        if (candidate is not null && File.Exists(candidate))
            parent = Resolve(ParseMapping(File.ReadAllText(candidate), candidate), Path.GetDirectoryName(candidate), candidate, depth + 1);
        else
        {
            var presetName = Path.GetFileNameWithoutExtension(parentName);
            var text = EmbeddedText(presetName)
                ?? throw new FileNotFoundException($"{origin}: extends '{parentName}', which is neither a file beside it nor a preset");
            parent = Resolve(ParseMapping(text, $"preset {presetName}"), directory, $"preset {presetName}", depth + 1);
        }
        Merge(parent, node);
        return parent;
    }

    private static void Merge(YamlMappingNode target, YamlMappingNode source)
    {
        foreach (var (k, v) in source.Children)
        {
            if (v is YamlMappingNode sub && target.Children.TryGetValue(k, out var existing) && existing is YamlMappingNode existingMap)
                Merge(existingMap, sub);
            else
                target.Children[k] = v;
        }
    }

    /// <summary>Applies one <c>section.key=value</c> override; the value is read as YAML (so lists work).</summary>
    public static void ApplyOverride(YamlMappingNode root, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--set '{assignment}': expected key=value, e.g. rollout.temperature=0.7");
        var path = assignment[..eq].Trim().Split('.');
        var valueText = assignment[(eq + 1)..];
        YamlNode value;
        var parsed = new YamlStream();
        try { parsed.Load(new StringReader($"v: {valueText}")); value = ((YamlMappingNode)parsed.Documents[0].RootNode).Children[new YamlScalarNode("v")]; }
        catch (YamlException) { value = new YamlScalarNode(valueText); }
        var node = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            var key = new YamlScalarNode(path[i]);
            if (!node.Children.TryGetValue(key, out var child) || child is not YamlMappingNode map)
            {
                map = new YamlMappingNode();
                node.Children[key] = map;
            }
            node = map;
        }
        node.Children[new YamlScalarNode(path[^1])] = value;
    }

    // Applies the overrides one by one, binding and range-checking after each, so that an unknown key, a
    // value of the wrong type or out of range is reported against the --set that brought it in, not against
    // the config file. Returns the origin to name for what is checked afterwards (relations between keys).
    private static string ApplyOverrides(YamlMappingNode root, IEnumerable<string>? overrides, string origin)
    {
        var assignments = overrides?.ToList() ?? [];
        if (assignments.Count == 0) return origin;
        ConfigRanges.Check(Deserialize(root, origin), origin);
        foreach (var assignment in assignments)
        {
            ApplyOverride(root, assignment);
            ConfigRanges.Check(Deserialize(root, $"--set '{assignment}'"), $"--set '{assignment}'");
        }
        return $"{origin} with --set {string.Join(' ', assignments)}";
    }

    private static TrainConfig Bind(YamlMappingNode root, string origin)
    {
        var config = Deserialize(root, origin);
        Validate(config, origin);
        return config;
    }

    private static TrainConfig Deserialize(YamlMappingNode root, string origin)
    {
        var text = new YamlStream(new YamlDocument(root));
        var writer = new StringWriter();
        text.Save(writer, assignAnchors: false);
        var serialized = writer.ToString();
        try { return Deserializer.Deserialize<TrainConfig>(serialized) ?? new TrainConfig(); }
        catch (YamlException e)
        {
            if (e.InnerException is FormatException or OverflowException or ArgumentException && BadValueMessage(serialized, e.Start) is { } bad)
                throw new InvalidDataException($"{origin}: {bad}");
            var message = (e.InnerException?.Message ?? e.Message).Split('\n')[0];
            throw new InvalidDataException($"{origin}: {WithSectionNames(message)}");
        }
    }

    // A value that does not convert (".NET: The input string 'abc' was not in a correct format.") names
    // neither key nor expected type; the failing node is found by its position in the text that was
    // deserialized, and the message becomes "rollout.temperature: expected a number, got 'abc'".
    private static string? BadValueMessage(string serialized, Mark start)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(serialized));
        if (stream.Documents.Count == 0 || FindScalar(stream.Documents[0].RootNode, start, []) is not var (keys, value)) return null;
        var type = typeof(TrainConfig);
        foreach (var key in keys)
        {
            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => UnderscoredNamingConvention.Instance.Apply(p.Name) == key);
            if (property is null) return null;
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        string expected =
            type == typeof(int) || type == typeof(long) ? "an integer" :
            type == typeof(double) || type == typeof(float) ? "a number" :
            type == typeof(bool) ? "true or false" :
            type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type).Select(UnderscoredNamingConvention.Instance.Apply)) :
            $"a {type.Name}";
        return $"{string.Join('.', keys)}: expected {expected}, got '{value.Value}'";
    }

    // The scalar mapped under a key path whose text starts at `start` (null when it is not a mapping value).
    private static (List<string> Keys, YamlScalarNode Value)? FindScalar(YamlNode node, Mark start, List<string> keys)
    {
        if (node is not YamlMappingNode mapping) return null;
        foreach (var (k, v) in mapping.Children)
        {
            if (k is not YamlScalarNode { Value: { } name }) continue;
            List<string> path = [.. keys, name];
            if (v is YamlScalarNode scalar && scalar.Start.Index == start.Index) return (path, scalar);
            if (FindScalar(v, start, path) is { } found) return found;
        }
        return null;
    }

    // YamlDotNet names the C# types ("Property 'x' not found on type 'Rlvr...RolloutConfig'"); a user knows
    // the YAML sections, so each config type's full name is replaced by its section ("rollout").
    private static string WithSectionNames(string message)
    {
        foreach (var (type, section) in SectionNames.Value)
        {
            var where = section.Length == 0 ? "at the top level" : $"in section '{section}'";
            message = message.Replace($"not found on type '{type}'", where);
            message = message.Replace($"Invalid cast from 'System.String' to '{type}'", $"expected a mapping of keys {where}, found a single value");
            message = message.Replace($"'{type}'", section.Length == 0 ? "the top level" : $"section '{section}'");
        }
        return message.StartsWith("Property '") ? "unknown key " + message["Property ".Length..] : message;
    }

    private static readonly Lazy<IReadOnlyList<(string Type, string Section)>> SectionNames = new(() =>
    {
        var names = new List<(string, string)>();
        void Walk(Type type, string path)
        {
            names.Add((type.FullName!, path));
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (propertyType.IsClass && propertyType.Namespace == typeof(TrainConfig).Namespace && names.All(n => n.Item1 != propertyType.FullName))
                    Walk(propertyType, (path.Length == 0 ? "" : path + ".") + UnderscoredNamingConvention.Instance.Apply(property.Name));
            }
        }
        Walk(typeof(TrainConfig), "");
        return names;
    });

    private static bool IsRegex(string pattern)
    {
        try { _ = new System.Text.RegularExpressions.Regex(pattern); return true; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Checks each numeric setting's range (<see cref="ConfigRanges"/>) and the relations between
    /// settings; throws with the offending key named.</summary>
    public static void Validate(TrainConfig c, string origin)
    {
        ConfigRanges.Check(c, origin);
        void Require(bool ok, string message) { if (!ok) throw new InvalidDataException($"{origin}: {message}"); }
        long rolloutSize = (long)c.Rollout.PromptsPerStep * c.Rollout.SamplesPerPrompt;
        Require(c.Reward.Grader is "paper" or "verify", $"reward.grader must be paper or verify, got '{c.Reward.Grader}'");
        Require(c.Grpo.TrainBatchSize % c.Grpo.MicroBatchSize == 0,
            $"grpo.train_batch_size ({c.Grpo.TrainBatchSize}) must be a multiple of grpo.micro_batch_size ({c.Grpo.MicroBatchSize})");
        Require(rolloutSize % c.Grpo.TrainBatchSize == 0,
            $"rollout.prompts_per_step x rollout.samples_per_prompt ({rolloutSize}) must be a multiple of grpo.train_batch_size ({c.Grpo.TrainBatchSize})");
        if (c.Model.Tiny is { } tiny)
        {
            Require(tiny.HiddenSize % tiny.Heads == 0, $"model.tiny.hidden_size ({tiny.HiddenSize}) must be a multiple of model.tiny.heads ({tiny.Heads})");
            Require(tiny.Heads % tiny.KvHeads == 0, $"model.tiny.heads ({tiny.Heads}) must be a multiple of model.tiny.kv_heads ({tiny.KvHeads})");
            Require(tiny.HiddenSize / tiny.Heads % 2 == 0, $"model.tiny.hidden_size / model.tiny.heads ({tiny.HiddenSize / tiny.Heads}) must be even (rotary embeddings rotate pairs)");
        }
        Require(c.Run.Device is "auto" or "cpu" or "cuda" || TrainingSetup.CudaIndex(c.Run.Device) is not null,
            $"run.device '{c.Run.Device}': expected auto, cpu, cuda or cuda:N");
        Require(c.Model.Dtype is "auto" or "bf16" or "fp32" or "bfloat16" or "float32",
            $"model.dtype '{c.Model.Dtype}': expected auto, bfloat16 (bf16) or float32 (fp32)");
        Require(c.Model.Tiny is not null || c.Model.Path.Length > 0, "model.path is empty and model.tiny is not set");
        Require(c.Data.LabelShift == 0 || c.Data.Source.StartsWith("generated:", StringComparison.Ordinal),
            "data.label_shift applies to generated sources only (a dataset's incorrect labels come from data.true_labels)");
        Require(IsRegex(c.Telemetry.StrategyPattern), $"telemetry.strategy_pattern '{c.Telemetry.StrategyPattern}' is not a valid regular expression");
    }
}
