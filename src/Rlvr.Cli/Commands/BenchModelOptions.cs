using System.CommandLine;
using Rlvr.Torch.Models;
using TorchSharp;

namespace Rlvr.Cli.Commands;

/// <summary>
/// The options every model benchmark shares (`bench generate`, `bench train`): a random-weight preset
/// shape, where it runs, libtorch threads, timed repeats and JSON output.
/// </summary>
internal sealed class BenchModelOptions
{
    public Option<string> Preset { get; } = new("--preset") { Description = $"Model shape: {string.Join(", ", ModelPresets.All.Keys)}.", DefaultValueFactory = _ => "cpu-tiny" };
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda[:N].", DefaultValueFactory = _ => "cpu" };
    public Option<string?> Dtype { get; } = new("--dtype") { Description = "float32, bfloat16 or float16 (default: float32 on cpu, bfloat16 on cuda)." };
    public Option<int> Threads { get; } = new("--threads") { Description = "CPU threads for libtorch (0 = its default).", DefaultValueFactory = _ => 0 };
    public Option<int> Repeats { get; }
    public Option<bool> Json { get; } = new("--json") { Description = "Also print one JSON line." };

    public BenchModelOptions(int defaultRepeats) =>
        Repeats = new("--repeats") { Description = "Timed runs (the best is reported) after one warm-up.", DefaultValueFactory = _ => defaultRepeats };

    /// <summary>Adds these options and then <paramref name="specific"/> ones to <paramref name="command"/>.</summary>
    public void AddTo(Command command, params Option[] specific)
    {
        foreach (var option in new Option[] { Preset, Device, Dtype, Threads, Repeats, Json }.Concat(specific))
            command.Options.Add(option);
    }

    /// <summary>
    /// The preset's shape and the placement, or a one-line error (returned as false) naming the verb;
    /// applies --threads. <paramref name="positiveInts"/> are options that must be at least 1.
    /// </summary>
    public bool TryResolve(ParseResult parse, string verb, out ModelConfig config, out Placement placement, params Option<int>[] positiveInts)
    {
        try
        {
            config = ModelPresets.Get(parse.GetValue(Preset)!);
            placement = Placement.Parse(parse.GetValue(Device)!, parse.GetValue(Dtype));
            foreach (var option in positiveInts.Append(Repeats))
                if (parse.GetValue(option) < 1)
                    throw new ArgumentException($"{option.Name}: expected at least 1, got {parse.GetValue(option)}.");
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"rlvr bench {verb}: {e.Message}");
            (config, placement) = (null!, default!);
            return false;
        }
        if (parse.GetValue(Threads) > 0) torch.set_num_threads(parse.GetValue(Threads));
        return true;
    }
}
