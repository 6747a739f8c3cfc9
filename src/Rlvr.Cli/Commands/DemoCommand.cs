using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Rlvr.Core.IO;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Demo;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr demo`: the paper's explanation of spurious rewards, checked on a CPU in minutes. Every
/// condition (ground truth, random with and without the clip, random with one update per batch,
/// format, incorrect labels, the inverse control) on the strategy task for several seeds; writes
/// demo.md (the table), demo.json (every run's curves) and two seed-band figures to the output folder.
/// Exit status: 0 done; 2 bad input (before any work); 1 a run failed.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Base preset or YAML file", DefaultValueFactory = _ => "strategies" };
        var set = new Option<string[]>("--set") { Description = "Override a base config value for every run, e.g. --set run.steps=10 (repeatable)" };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per condition (1..N)", DefaultValueFactory = _ => 5 };
        var only = new Option<string[]>("--only") { Description = $"Run only these conditions ({string.Join(", ", DemoCondition.All.Select(c => c.Name))})" };
        var output = new Option<string>("--out") { Description = "Output folder (must not hold a demo yet)", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var command = new Command("demo", "The model organism of spurious rewards: every reward condition on the strategy task, several seeds, one table.");
        foreach (var o in new Option[] { config, set, seeds, only, output }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var outDir = parse.GetValue(output)!;
            int seedCount = parse.GetValue(seeds);
            var names = parse.GetValue(only) ?? [];
            TrainConfig baseConfig;
            try { baseConfig = ConfigLoader.Load(parse.GetValue(config), parse.GetValue(set) ?? []); }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            string? bad =
                seedCount < 2 ? $"--seeds {seedCount}: at least 2 are needed for a spread" :
                names.FirstOrDefault(n => DemoCondition.All.All(c => c.Name != n)) is { } unknown ? $"--only {unknown}: no such condition" :
                Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() ? $"--out {outDir}: the folder is not empty (a demo is never overwritten); remove it or choose another" :
                baseConfig.Data.Source != Rlvr.Torch.Training.Tiny.StrategyTask.SourceName ? $"--config: data.source must be {Rlvr.Torch.Training.Tiny.StrategyTask.SourceName}" :
                null;
            if (bad is not null) { Console.Error.WriteLine($"error: {bad}"); return 2; }
            var conditions = names.Length == 0 ? DemoCondition.All : DemoCondition.All.Where(c => names.Contains(c.Name)).ToArray();
            Console.WriteLine($"# rlvr demo: {conditions.Count} conditions x {seedCount} seeds, {baseConfig.Run.Steps} steps each, into {outDir}");
            var clock = Stopwatch.StartNew();
            IReadOnlyList<DemoRun> runs;
            try { runs = SpuriousRewardDemo.Run(baseConfig, conditions, Enumerable.Range(1, seedCount).ToArray(), outDir, Console.WriteLine); }
            catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            var table = DemoReport.Table(runs, conditions);
            AtomicFile.WriteAllText(Path.Combine(outDir, "demo.md"), table);
            AtomicFile.WriteAllText(Path.Combine(outDir, "demo.json"), JsonSerializer.Serialize(runs, new JsonSerializerOptions { WriteIndented = true }));
            DemoReport.Figures(runs, conditions, Path.Combine(outDir, "exact_accuracy.png"), Path.Combine(outDir, "exact_strategy_a.png"));
            Console.WriteLine();
            Console.WriteLine(table);
            Console.WriteLine($"{runs.Count} runs in {clock.Elapsed.TotalSeconds:F0} s; table {Path.Combine(outDir, "demo.md")}, figures exact_accuracy.png and exact_strategy_a.png there");
            return 0;
        });
        return command;
    }
}
