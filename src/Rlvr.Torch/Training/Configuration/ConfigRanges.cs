using System.Globalization;
using System.Reflection;
using YamlDotNet.Serialization.NamingConventions;

namespace Rlvr.Torch.Training.Configuration;

/// <summary>
/// The valid range of every numeric setting, checked when a configuration is loaded (before any work
/// starts): a negative batch size would make the trainer loop forever, a negative thread count slows every
/// step fifty-fold, a negative step count "finishes" at once. A new numeric key gets its line here
/// (ConfigRangeTests fails for a numeric key without one). Relations between keys (a batch that divides
/// another) stay in <see cref="ConfigLoader.Validate"/>.
/// </summary>
public static class ConfigRanges
{
    /// <summary>One setting's valid interval; an open end is excluded; NaN and infinities are always out.</summary>
    public sealed record Range(string Key, double Min, double Max, bool MinOpen = false, bool MaxOpen = false)
    {
        /// <summary>Whether <paramref name="value"/> lies in the interval.</summary>
        public bool Contains(double value) => double.IsFinite(value)
            && (MinOpen ? value > Min : value >= Min) && (MaxOpen ? value < Max : value <= Max);

        /// <summary>"an integer >= 1", "a number in (0, 1]".</summary>
        public string Describe(bool integer)
        {
            var kind = integer ? "an integer" : "a number";
            bool hasMin = Min > double.MinValue && Min != int.MinValue, hasMax = Max < double.MaxValue && Max != int.MaxValue;
            if (hasMin && hasMax) return $"{kind} in {(MinOpen ? '(' : '[')}{Show(Min)}, {Show(Max)}{(MaxOpen ? ')' : ']')}";
            if (hasMin) return $"{kind} {(MinOpen ? ">" : ">=")} {Show(Min)}";
            if (hasMax) return $"{kind} {(MaxOpen ? "<" : "<=")} {Show(Max)}";
            return integer ? "an integer" : "a finite number";
        }

        private static string Show(double x) => x.ToString(CultureInfo.InvariantCulture);
    }

    private static Range AtLeast(string key, double min) => new(key, min, double.MaxValue);
    private static Range Positive(string key) => new(key, 0, double.MaxValue, MinOpen: true);
    private static Range Between(string key, double min, double max, bool maxOpen = false) => new(key, min, max, MaxOpen: maxOpen);
    private static Range Any(string key) => new(key, double.MinValue, double.MaxValue);

    /// <summary>Every numeric key (YAML path) and its valid interval.</summary>
    public static readonly IReadOnlyList<Range> All =
    [
        Any("run.seed"),
        Between("run.threads", 0, 1024),            // 0 = libtorch's default
        AtLeast("run.steps", 1),
        AtLeast("model.tiny.hidden_size", 1),
        AtLeast("model.tiny.layers", 1),
        AtLeast("model.tiny.heads", 1),
        AtLeast("model.tiny.kv_heads", 1),
        AtLeast("model.tiny.intermediate_size", 1),
        AtLeast("data.max_samples", 0),             // 0 = all rows
        AtLeast("data.generated_count", 1),
        AtLeast("data.generated_max_operand", 0),
        AtLeast("data.held_out", 0),
        Between("data.strategy_a_fraction", 0, 1),
        Between("data.strategy_b_error_rate", 0, 1),
        Any("data.label_shift"),                   // the incorrect-label offset of generated tasks
        AtLeast("rollout.prompts_per_step", 1),
        AtLeast("rollout.samples_per_prompt", 1),
        Positive("rollout.temperature"),
        new("rollout.top_p", 0, 1, MinOpen: true),
        AtLeast("rollout.max_new_tokens", 1),
        AtLeast("rollout.max_prompt_tokens", 1),
        AtLeast("rollout.dynamic_sampling_max_rounds", 0),
        AtLeast("rollout.prompts_per_generate_call", 0),  // 0 = the whole step in one call
        Positive("reward.grade_time_limit_ms"),
        AtLeast("reward.grade_work_limit", 1),
        Positive("grpo.advantage_clip"),
        Between("grpo.eps_low", 0, 1, maxOpen: true),
        AtLeast("grpo.eps_high", 0),
        AtLeast("grpo.kl_coef", 0),
        Any("grpo.entropy_coef"),
        AtLeast("grpo.train_batch_size", 1),
        AtLeast("grpo.micro_batch_size", 1),
        AtLeast("grpo.epochs", 1),
        Positive("optimizer.lr"),
        Between("optimizer.beta1", 0, 1, maxOpen: true),
        Between("optimizer.beta2", 0, 1, maxOpen: true),
        Positive("optimizer.eps"),
        Positive("optimizer.max_grad_norm"),
        AtLeast("optimizer.warmup_steps", 0),
        Between("optimizer.zero_stage", 0, 2),     // 0 = unsharded, 1 = ZeRO-1 (optimizer state sharded over ranks), 2 = ZeRO-2 (and gradients)
        Between("optimizer.min_lr_ratio", 0, 1),
        AtLeast("checkpoint.every", 0),             // 0 = only at the end
        AtLeast("checkpoint.keep", 1),
        AtLeast("checkpoint.max_bad_steps", 1),
        AtLeast("telemetry.samples_every", 0),      // 0 = never
        AtLeast("telemetry.samples_count", 0),
        AtLeast("eval.every", 0),                   // 0 = never
        AtLeast("eval.snapshot_every", 0),          // 0 = no snapshots
        AtLeast("eval.snapshot_keep", 0),
        AtLeast("eval.max_new_tokens", 1),
        AtLeast("eval.max_prompts", 1),
        AtLeast("warm_start.steps", 0),             // 0 = no warm start
        Positive("warm_start.lr"),
        AtLeast("warm_start.batch_size", 1),
    ];

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="origin"/>, the key, its range and the value.</summary>
    public static void Check(TrainConfig config, string origin)
    {
        foreach (var range in All)
        {
            if (Read(config, range.Key) is not var (value, integer)) continue;  // a section that is not set (model.tiny)
            if (!range.Contains(value))
                throw new InvalidDataException(
                    $"{origin}: {range.Key}: expected {range.Describe(integer)}, got {value.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>The numeric value at a YAML key path and whether it is an integer; null when a section on the way is unset.</summary>
    public static (double Value, bool Integer)? Read(TrainConfig config, string key)
    {
        object? node = config;
        PropertyInfo? property = null;
        foreach (var name in key.Split('.'))
        {
            if (node is null) return null;
            property = node.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => UnderscoredNamingConvention.Instance.Apply(p.Name) == name)
                ?? throw new InvalidOperationException($"ConfigRanges: no setting '{key}'");
            node = property.GetValue(node);
        }
        return node switch
        {
            int i => (i, true),
            long l => (l, true),
            double d => (d, false),
            float f => (f, false),
            null => null,
            _ => throw new InvalidOperationException($"ConfigRanges: '{key}' is not numeric"),
        };
    }
}
