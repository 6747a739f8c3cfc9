using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Core.Templates;

namespace Rlvr.Cli;

/// <summary>
/// The top-level guard of every verb. A command line that does not parse (unknown verb or option, a
/// missing required option, a value that is not a number) and an expected failure while running (a file
/// that is missing or malformed, a setting out of range, an output folder that cannot be written) both
/// end in one line on stderr, <c>error: ...</c>, and exit 2. Anything else is a bug: one line saying what
/// failed in which verb, exit 1 (the stack trace with RLVR_DEBUG=1).
/// </summary>
public static class CliErrors
{
    /// <summary>Exit status of bad input (a command line, file or setting the user can fix).</summary>
    public const int BadInput = 2;
    /// <summary>Exit status of an unexpected failure.</summary>
    public const int Failure = 1;

    /// <summary>Runs the parsed command line under the guard.</summary>
    public static int Invoke(ParseResult parse)
    {
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {Describe(parse)}; see '{CommandPath(parse.CommandResult)} --help'");
            return BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: '{CommandPath(parse.CommandResult)}' failed unexpectedly ({e.GetType().Name}: {OneLine(e.Message)})" +
                (Environment.GetEnvironmentVariable("RLVR_DEBUG") is "1" ? "" : "; set RLVR_DEBUG=1 for the stack trace"));
            if (Environment.GetEnvironmentVariable("RLVR_DEBUG") is "1") Console.Error.WriteLine(e);
            return Failure;
        }
    }

    /// <summary>Failures that come from what the user gave (files, folders, options, settings), not from a bug.</summary>
    public static bool IsBadInput(Exception e) => e is DatasetException or TemplateException or InvalidDataException
        or FileNotFoundException or DirectoryNotFoundException or ArgumentException or FormatException or JsonException
        or NotSupportedException or KeyNotFoundException or UnauthorizedAccessException or IOException or InvalidOperationException;

    /// <summary>The first line of a message (some libraries append details on further lines).</summary>
    public static string OneLine(string message)
    {
        var line = message.Split('\n', 2)[0].TrimEnd('\r', ' ');
        return line.Length == 0 ? message.Trim() : line;
    }

    // One parse error in the user's terms: the unknown token, or the option and the kind of value it needs
    // (System.CommandLine's own message names .NET types such as System.Nullable`1[System.Int32]).
    private static string Describe(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            return token.StartsWith('-')
                ? $"unknown option '{token}' for '{CommandPath(parse.CommandResult)}'"
                : parse.CommandResult.Command is RootCommand ? $"unknown verb '{token}'" : $"unexpected argument '{token}' for '{CommandPath(parse.CommandResult)}'";
        }
        var error = parse.Errors[0];
        var option = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        if (option is not null && error.Message.StartsWith("Cannot parse argument"))
        {
            var given = string.Join(' ', (error.SymbolResult ?? option).Tokens.Select(t => t.Value));
            return $"{option.Option.Name}: expected {Expected(option.Option.ValueType)}, got '{given}'";
        }
        if (option is not null && error.Message.StartsWith("Option '") && error.Message.Contains("is required"))
            return $"{option.Option.Name} is required";
        if (error.SymbolResult is CommandResult { Command: RootCommand } && parse.CommandResult.Command is RootCommand)
            return "no verb given (train, eval, analyze, grade, label, data, generate, bench, version)";
        return OneLine(error.Message).TrimEnd('.');
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(double) || type == typeof(float) ? "a number"
            : type == typeof(bool) ? "true or false"
            : type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))
            : $"a {type.Name.ToLowerInvariant()}";
    }

    // "rlvr analyze compare": the verb path the user typed, for the pointer to its --help.
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
            names.Insert(0, c.Command is RootCommand ? "rlvr" : c.Command.Name);
        return string.Join(' ', names);
    }
}
