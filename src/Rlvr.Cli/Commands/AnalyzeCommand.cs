using Rlvr.Core.IO;
using System.CommandLine;
using System.Text.Json;
using Rlvr.Core.Analysis;
using Rlvr.Core.Evaluation;
using Rlvr.Core.Reporting;
using Spectre.Console;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr analyze`: the paper's analyses on evaluation result files (`{model}_{dataset}.json` from `rlvr eval`):
/// code-frequency (Table 1), transitions (Table 2), compare (side-by-side table and a Figure-1-style gain chart).
/// </summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var command = new Command("analyze", "Analyse evaluation results: code-reasoning frequency, reasoning transitions, run comparison.");
        command.Subcommands.Add(CodeFrequency());
        command.Subcommands.Add(Transitions());
        command.Subcommands.Add(Compare());
        command.Subcommands.Add(AnalyzeEvalCommand.Create());
        command.Subcommands.Add(AnalyzeCurvesCommand.Create());
        return command;
    }

    private static Command CodeFrequency()
    {
        var files = new Argument<string[]>("FILES") { Description = "Result files ({model}_{dataset}.json) written by rlvr eval, or run folders holding them", Arity = ArgumentArity.OneOrMore };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON to this file" };
        var command = new Command("code-frequency", "Share of responses with code reasoning (\"python\" in the text) and accuracy with and without it (paper Table 1).");
        command.Arguments.Add(files);
        RejectUnknownOptions(files);
        command.Options.Add(json);
        command.SetAction(parse => Guarded(() =>
        {
            var rows = parse.GetValue(files)!.SelectMany(ResultFiles.Read).Select(CodeFrequencyAnalysis.Analyze).ToList();
            var table = new Table().AddColumns("model", "dataset", "responses", "code freq.", "acc. with code", "acc. language only", "accuracy");
            foreach (var r in rows)
            {
                table.AddRow(Markup.Escape(r.Model), Markup.Escape(r.Dataset), r.Responses.ToString(), Pct(r.CodeFrequency),
                    Pct(r.AccuracyWithCode), Pct(r.AccuracyWithoutCode), Pct(r.Accuracy));
            }
            AnsiConsole.Write(table);
            WriteJson(parse.GetValue(json), rows);
        }));
        return command;
    }

    private static Command Transitions()
    {
        var before = new Argument<string>("BEFORE") { Description = "Result file (or run folder) before training, e.g. the base model's" };
        var after = new Argument<string>("AFTER") { Description = "Result file (or run folder) after training; folders are paired by dataset" };
        var json = new Option<string?>("--json") { Description = "Also write the tables as JSON to this file" };
        var command = new Command("transitions", "Split the accuracy change into code->code, code->lang, lang->code, lang->lang (paper Table 2).");
        command.Arguments.Add(before);
        command.Arguments.Add(after);
        RejectUnknownOptions(before);
        RejectUnknownOptions(after);
        command.Options.Add(json);
        command.SetAction(parse => Guarded(() =>
        {
            var pairs = ResultFiles.PairByDataset(ResultFiles.Read(parse.GetValue(before)!), ResultFiles.Read(parse.GetValue(after)!));
            var tables = pairs.Select(p => TransitionAnalysis.Analyze(p.Before, p.After)).ToList();
            foreach (var t in tables)
            {
                AnsiConsole.WriteLine($"{t.Dataset}: {t.ModelBefore} {Pct(t.AccuracyBefore)} -> {t.ModelAfter} {Pct(t.AccuracyAfter)} " +
                    $"({t.GainPoints:+0.0;-0.0;0.0} points over {t.Pairs} response pairs)");
                var table = new Table().AddColumns("transition", "responses", "net gain", "share of gain");
                foreach (var r in t.Rows)
                {
                    table.AddRow(TransitionAnalysis.Label(r.Transition), r.Responses.ToString(), r.NetGain.ToString("+0;-0;0"), Pct(r.Share));
                }
                AnsiConsole.Write(table);
            }
            WriteJson(parse.GetValue(json), tables);
        }));
        return command;
    }

    private static Command Compare()
    {
        var runs = new Argument<string[]>("RUN") { Description = "Run folders (with summary.json or result files) or result files; the first is the baseline", Arity = ArgumentArity.OneOrMore };
        var chart = new Option<string?>("--chart") { Description = "Write a PNG bar chart of the gains over the first run to this file" };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON to this file" };
        var command = new Command("compare", "Several runs side by side (avg@k per dataset, gain over the first run), optionally a gain chart like the paper's Figure 1.");
        command.Arguments.Add(runs);
        RejectUnknownOptions(runs);
        command.Options.Add(chart);
        command.Options.Add(json);
        command.SetAction(parse => Guarded(() =>
        {
            if (parse.GetValue(chart) is { } requested && parse.GetValue(runs)!.Length < 2)
                throw new ArgumentException($"--chart {requested}: a gain chart needs at least two runs (the first is the baseline), got one");
            var table = RunComparison.Compare(parse.GetValue(runs)!.Select(RunComparison.Load).ToList());
            var view = new Table().AddColumn("dataset");
            foreach (var run in table.Runs) view.AddColumn(Markup.Escape(run.Name));
            foreach (var d in table.Datasets)
            {
                view.AddRow([Markup.Escape(d), .. table.Runs.Select((_, i) => Cell(table.Score(i, d), i == 0 ? null : table.GainPoints(i, d)))]);
            }
            view.AddRow(["average", .. table.Runs.Select((_, i) => Cell(table.Average(i), null))]);
            AnsiConsole.Write(view);

            if (parse.GetValue(chart) is { } png && table.Runs.Count > 1)
            {
                var series = table.Runs.Skip(1).Select((r, i) => new BarSeries(r.Name, table.Datasets.Select(d => table.GainPoints(i + 1, d)).ToList())).ToList();
                Charts.GroupedBarChart(png, $"Gain over {table.Runs[0].Name} (avg@k, points)", "points", table.Datasets, series);
                AnsiConsole.WriteLine($"chart: {png}");
            }
            WriteJson(parse.GetValue(json), new
            {
                baseline = table.Runs[0].Name,
                datasets = table.Datasets,
                runs = table.Runs.Select((r, i) => new
                {
                    name = r.Name,
                    scores = table.Datasets.ToDictionary(d => d, d => table.Score(i, d)),
                    gain_points = table.Datasets.ToDictionary(d => d, d => table.GainPoints(i, d)),
                    average = table.Average(i),
                }),
            });
        }));
        return command;
    }

    // System.CommandLine hands a token like "--out" that names no option to the path argument, which
    // would then be reported as a missing run folder; a dash-led value that is not an existing path is
    // reported as the unknown option it is (a parse error: usage message, nothing runs).
    private static void RejectUnknownOptions(Argument argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.StartsWith('-') && !File.Exists(token.Value) && !Directory.Exists(token.Value))
                    result.AddError($"unknown option '{token.Value}'");
            }
        });
    }

    /// <summary>Runs a command body; bad input ends in one line on stderr and exit code 2, as in the other verbs.</summary>
    internal static int Guarded(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException or ArgumentException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    internal static string Pct(double? value) => value is double v ? (100 * v).ToString("0.0") : "-";

    private static string Cell(double? score, double? gain) =>
        score is not double s ? "-" : gain is double g ? $"{100 * s:0.0} ({g:+0.0;-0.0;0.0})" : $"{100 * s:0.0}";

    private static void WriteJson(string? path, object value)
    {
        if (path == null) return;
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, EvalJson.Options));
    }
}
