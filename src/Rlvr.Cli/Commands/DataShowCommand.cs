using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Core.Templates;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr data show NAME`: prints problems rendered by a prompt template exactly as a model receives
/// them. Each prompt is preceded by a header line and followed by a line "&lt;&lt;&lt; end of prompt"; the
/// prompt is every character in between except the single newline added before that end line.
/// `--json` prints one JSON object per prompt instead, which makes whitespace unambiguous.
/// </summary>
public static class DataShowCommand
{
    public const string EndMarker = "<<< end of prompt";

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "A dataset name (see `rlvr data list`) or a local file or folder." };
        var data = new DataOptions();
        var limit = new Option<int>("--limit") { Description = "How many problems to show (default 3).", DefaultValueFactory = _ => 3 };
        var offset = new Option<int>("--offset") { Description = "Skip this many problems first.", DefaultValueFactory = _ => 0 };
        var template = new Option<string?>("--template")
        {
            Description = $"Prompt template: {string.Join(", ", PromptTemplates.Names)}, or a file with {{problem}} (default qwen-math, or the --model's chat template).",
        };
        var model = new Option<string?>("--model") { Description = "A model folder whose tokenizer_config.json chat template chooses the template." };
        var systemPrompt = new Option<string?>("--system-prompt") { Description = "System prompt for chatml / llama3 (overrides qwen-math's default)." };
        var llamaDate = new Option<string?>("--llama-date") { Description = $"The 'Today Date' of the llama3 template (default {Llama3Template.DefaultDate})." };
        var ids = new Option<string[]>("--id") { Description = "Show only these ids (repeatable), in this order.", AllowMultipleArgumentsPerToken = true };
        var repeat = new Option<int?>("--repeat") { Description = "One-shot: repeat the selected problems to this many rows." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per prompt: {id, label, prompt, stop}." };

        var command = new Command("show", "Print problems rendered by a prompt template, exactly as the model receives them.");
        command.Arguments.Add(name);
        data.AddTo(command);
        foreach (var option in new Option[] { limit, offset, template, model, systemPrompt, llamaDate, ids, repeat, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => DataCliErrors.Run(() =>
        {
            if (parse.GetValue(limit) is < 0 and var badLimit) throw new DatasetException($"--limit {badLimit}: expected 0 or more");
            if (parse.GetValue(offset) is < 0 and var badOffset) throw new DatasetException($"--offset {badOffset}: expected 0 or more");
            var dataset = data.Load(parse, parse.GetValue(name)!);
            var templateOptions = new TemplateOptions(parse.GetValue(systemPrompt), parse.GetValue(llamaDate));
            var chosen = parse.GetValue(template) is { } t
                ? PromptTemplates.Create(t, templateOptions)
                : parse.GetValue(model) is { } m
                    ? ChatTemplateDetector.FromModelFolder(m, templateOptions)
                    : PromptTemplates.Create("qwen-math", templateOptions);

            IReadOnlyList<Problem> problems = dataset.Problems;
            if (parse.GetValue(ids) is { Length: > 0 } wanted) problems = OneShot.Select(problems, wanted);
            if (parse.GetValue(repeat) is { } count) problems = OneShot.Repeat(problems, count);
            var shown = problems.Skip(parse.GetValue(offset)).Take(parse.GetValue(limit)).ToList();

            var asJson = parse.GetValue(json);
            if (!asJson)
            {
                Console.WriteLine($"# {dataset.Name} ({dataset.Split.Name()}): {dataset.Problems.Count} rows" +
                    (dataset.Skipped.Count > 0 ? $", {dataset.Skipped.Count} skipped" : "") +
                    $"; template {chosen.Name}" + (chosen.StopStrings.Count > 0 ? $", stop {string.Join(" ", chosen.StopStrings.Select(Quote))}" : ""));
            }
            var index = 0;
            foreach (var problem in shown)
            {
                var prompt = chosen.Render(problem.Prompt);
                if (asJson)
                {
                    Console.WriteLine(JsonSerializer.Serialize(
                        new { id = problem.Id, label = problem.Label, source = problem.Source, prompt, stop = chosen.StopStrings },
                        new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                    continue;
                }
                Console.WriteLine($">>> [{index++}] id {problem.Id} | label {Quote(problem.Label)} | source {problem.Source}");
                Console.Write(prompt);
                Console.Write('\n');
                Console.WriteLine(EndMarker);
            }
        }));
        return command;
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
