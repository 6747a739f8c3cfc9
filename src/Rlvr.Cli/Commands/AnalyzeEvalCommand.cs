using System.CommandLine;
using System.Globalization;
using Rlvr.Core.Analysis;
using Rlvr.Core.Evaluation;
using Spectre.Console;

namespace Rlvr.Cli.Commands;

/// <summary>`rlvr analyze eval RUN_DIR`: each evaluation set's final value from the run's eval.jsonl, smoothed as the paper reports it.</summary>
public static class AnalyzeEvalCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN_DIR") { Description = "A training run folder with eval.jsonl (written by rlvr eval --follow)" };
        var window = new Option<int>("--window") { Description = "Smoothing window in training steps (paper: 10)", DefaultValueFactory = _ => EvalCurveSummary.PaperWindow };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON to this file" };
        var command = new Command("eval", "Each evaluation set's value at the run's final step, smoothed over the last 10 steps as the paper reports it.");
        command.Arguments.Add(run);
        command.Options.Add(window);
        command.Options.Add(json);
        command.SetAction(parse => AnalyzeCommand.Guarded(() =>
        {
            var dir = parse.GetValue(run)!;
            if (!File.Exists(Path.Combine(dir, SnapshotEvalLog.FileName)))
                throw new FileNotFoundException($"{dir}: no {SnapshotEvalLog.FileName} (run rlvr eval --follow {dir})");
            var points = EvalCurveSummary.Summarize(SnapshotEvalLog.Read(dir), parse.GetValue(window));
            var table = new Table().AddColumns("set", "k", "final step", "avg@k final", $"smoothed ({parse.GetValue(window)})", "entries");
            foreach (var p in points)
                table.AddRow(Markup.Escape(p.Set), p.K.ToString(CultureInfo.InvariantCulture), p.FinalStep.ToString(CultureInfo.InvariantCulture),
                    AnalyzeCommand.Pct(p.Final), AnalyzeCommand.Pct(p.Smoothed), p.Entries.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            if (parse.GetValue(json) is { } path) Rlvr.Core.IO.AtomicFile.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(points, EvalJson.Options));
        }));
        return command;
    }
}
