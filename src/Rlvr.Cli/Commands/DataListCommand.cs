using System.CommandLine;
using Rlvr.Core.Data;

namespace Rlvr.Cli.Commands;

/// <summary>`rlvr data list`: every named dataset and split with its row count and files.</summary>
public static class DataListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the named datasets: name, split, rows, source files, aliases.");
        var dataDir = new DataOptions().DataDir;
        command.Options.Add(dataDir);
        command.SetAction(parse => DataCliErrors.Run(() =>
        {
            var options = new DatasetLoadOptions(DataDir: parse.GetValue(dataDir));
            var rows = new List<string[]> { new[] { "name", "split", "rows", "source", "aliases" } };
            foreach (var spec in DatasetCatalog.All)
            {
                foreach (var split in spec.Splits.Keys.Order())
                {
                    var data = DatasetLoader.LoadCatalog(spec, options with { Split = split });
                    var count = data.Problems.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
                    var source = spec.SourceOf(split);
                    if (data.Skipped.Count > 0) source += $" ({data.Skipped.Count} unlabeled row{(data.Skipped.Count == 1 ? "" : "s")} skipped)";
                    rows.Add([spec.Name, split.Name(), count, source, string.Join(", ", spec.Aliases)]);
                }
            }
            Console.WriteLine($"data folder: {DataDirectory.Resolve(options.DataDir)}");
            PrintColumns(rows);
        }));
        return command;
    }

    /// <summary>Plain aligned columns (no live rendering, so the output reads the same in a pipe or a CI log).</summary>
    private static void PrintColumns(IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, c) => c == 2 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            Console.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
