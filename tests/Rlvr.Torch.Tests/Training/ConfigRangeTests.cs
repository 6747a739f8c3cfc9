using System.Reflection;
using Rlvr.Torch.Training.Configuration;
using YamlDotNet.Serialization.NamingConventions;

namespace Rlvr.Torch.Tests.Training;

/// <summary>Every numeric setting has a stated valid range, checked when the configuration loads.</summary>
public class ConfigRangeTests
{
    // Every numeric property reachable from TrainConfig, as its YAML key path.
    private static IEnumerable<string> NumericKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = prefix + UnderscoredNamingConvention.Instance.Apply(property.Name);
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float)) yield return key;
            else if (t.IsClass && t.Namespace == typeof(TrainConfig).Namespace)
                foreach (var inner in NumericKeys(t, key + ".")) yield return inner;
        }
    }

    [Fact]
    public void Every_numeric_setting_has_a_range()
    {
        var keys = NumericKeys(typeof(TrainConfig), "").ToList();
        Assert.True(keys.Count > 40, $"found only {keys.Count} numeric keys");
        Assert.Empty(keys.Except(ConfigRanges.All.Select(r => r.Key)));
        Assert.Empty(ConfigRanges.All.Select(r => r.Key).Except(keys));  // no range for a key that is gone
    }

    [Fact]
    public void Every_preset_lies_within_the_ranges()
    {
        foreach (var preset in ConfigLoader.EmbeddedPresets) ConfigRanges.Check(ConfigLoader.Load(preset), preset);
    }

    // The inputs of the report (a hang, a silent "finished -5 steps", a 50x slowdown) and a few more.
    [Theory]
    [InlineData("grpo.train_batch_size=-128", "grpo.train_batch_size: expected an integer >= 1, got -128")]
    [InlineData("run.steps=-5", "run.steps: expected an integer >= 1, got -5")]
    [InlineData("checkpoint.every=-1", "checkpoint.every: expected an integer >= 0, got -1")]
    [InlineData("warm_start.steps=-3", "warm_start.steps: expected an integer >= 0, got -3")]
    [InlineData("run.threads=-2", "run.threads: expected an integer in [0, 1024], got -2")]
    [InlineData("rollout.top_p=0", "rollout.top_p: expected a number in (0, 1], got 0")]
    [InlineData("optimizer.beta2=1", "optimizer.beta2: expected a number in [0, 1), got 1")]
    [InlineData("optimizer.lr=.nan", "optimizer.lr: expected a number > 0, got NaN")]
    [InlineData("grpo.entropy_coef=.inf", "grpo.entropy_coef: expected a finite number, got Infinity")]
    [InlineData("model.tiny.heads=0", "model.tiny.heads: expected an integer >= 1, got 0")]
    public void An_out_of_range_override_names_its_set_the_key_the_range_and_the_value(string assignment, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => ConfigLoader.Load(null, ["run.seed=3", assignment]));
        Assert.Equal($"--set '{assignment}': {expected}", error.Message);
    }

    [Fact]
    public void An_out_of_range_value_in_a_file_names_the_file()
    {
        var error = Assert.Throws<InvalidDataException>(() => ConfigLoader.Parse("run:\n  steps: 0\n", ["run.seed=1"], origin: "x.yaml"));
        Assert.Equal("x.yaml: run.steps: expected an integer >= 1, got 0", error.Message);
    }

    [Fact]
    public void Closed_ends_are_inside_and_open_ends_outside()
    {
        var unit = new ConfigRanges.Range("k", 0, 1, MinOpen: true);
        Assert.False(unit.Contains(0));
        Assert.True(unit.Contains(double.Epsilon));
        Assert.True(unit.Contains(1));
        Assert.False(unit.Contains(Math.BitIncrement(1.0)));
        Assert.False(unit.Contains(double.NaN));
        Assert.False(new ConfigRanges.Range("k", 0, double.MaxValue).Contains(double.PositiveInfinity));
    }
}
