using System.CommandLine;
using Rlvr.Core.Analysis;
using Rlvr.Core.Reporting;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr analyze curves RUN_DIR...`: the training curves of one or several runs (reward, true-label accuracy, code
/// frequency, clip fractions by token probability, in-training evaluation), runs that differ only in their seed
/// drawn as one condition with a band; PNG and SVG per panel and an overview curves.png.
/// </summary>
public static class AnalyzeCurvesCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("RUN_DIRS") { Description = "Training run folders (metrics.jsonl, config.yaml, eval.jsonl when evaluated)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for the figures", DefaultValueFactory = _ => Path.Combine("outputs", "curves") };
        var smooth = new Option<int>("--smooth") { Description = "Moving average over this many logged steps within each run (1 = none)", DefaultValueFactory = _ => 1 };
        var command = new Command("curves", "Training curves of one or several runs, seeds as bands (PNG and SVG).");
        command.Arguments.Add(runs);
        command.Options.Add(output);
        command.Options.Add(smooth);
        command.SetAction(parse => AnalyzeCommand.Guarded(() =>
        {
            if (parse.GetValue(smooth) < 1) throw new ArgumentException($"--smooth {parse.GetValue(smooth)}: need at least 1");
            var folders = parse.GetValue(runs)!;
            foreach (var folder in folders)
                if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such run folder");
            var conditions = RunConditions.Group(folders.Select(RunCurves.Read).ToList());
            foreach (var c in conditions)
                Console.WriteLine($"{c.Label}: {c.Runs.Count} run(s), seeds {string.Join(", ", c.Runs.Select(r => r.Seed ?? "?"))}");
            var written = TrainingCurveFigures.Write(conditions, parse.GetValue(output)!, parse.GetValue(smooth));
            Console.WriteLine($"wrote {written[0]} and {written.Count - 1} panel files in {parse.GetValue(output)}");
        }));
        return command;
    }
}
