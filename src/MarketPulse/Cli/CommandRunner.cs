using System.CommandLine;
using System.CommandLine.Help;
using MarketPulse.Storage;
using Microsoft.Extensions.Options;

namespace MarketPulse.Cli;

/// <summary>
/// Runs one command of an executable with System.CommandLine. Arguments named <c>--Section:Key=value</c>
/// (or <c>--Section:Key value</c>) are configuration: they are taken out before parsing and handed to every command.
/// A mistake in the command line is one line on standard error and exit code 2; a failure is one line and exit code 1.
/// </summary>
public static class CommandRunner
{
    public const int UsageExitCode = 2;

    private static readonly string[] HelpTokens = ["-h", "--help", "-?", "/?", "/h", "--version"];

    /// <param name="build">The root command, given the configuration arguments.</param>
    /// <param name="args">The process arguments.</param>
    /// <param name="defaultCommand">The command run when the first argument is an option or there is none.</param>
    public static async Task<int> RunAsync(Func<string[], RootCommand> build, string[] args, string? defaultCommand = null)
    {
        var (commandArgs, configuration) = SplitConfiguration(args);
        if (commandArgs is ["help", .. var rest])
        {
            commandArgs = ["--help", .. rest];
        }
        else if (defaultCommand is not null && (commandArgs.Count == 0 || (commandArgs[0].StartsWith('-') && !HelpTokens.Contains(commandArgs[0]))))
        {
            commandArgs.Insert(0, defaultCommand);
        }

        var root = build(configuration);
        var result = root.Parse(commandArgs);
        var path = CommandPath(result.CommandResult);
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            if (result.CommandResult.Command.Subcommands.Count > 0 && result.UnmatchedTokens is [var unknown, ..] && !unknown.StartsWith('-'))
            {
                await Console.Error.WriteLineAsync($"{path}: unknown command '{unknown}'.");
            }
            else
            {
                foreach (var error in result.Errors)
                {
                    await Console.Error.WriteLineAsync($"{path}: {error.Message}");
                }
            }

            await Console.Error.WriteLineAsync($"Run '{path} --help' for usage.");
            return UsageExitCode;
        }

        // The commands' hosts handle SIGINT and SIGTERM themselves (a drained shutdown), so System.CommandLine must not.
        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            return await result.InvokeAsync(invocation);
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"{root.Name}: {e.Message}");
            return 1;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"{root.Name}: invalid configuration: {string.Join(" ", e.Failures)}");
            return 1;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"{path}: {e.Message}");
            return UsageExitCode;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else is a defect or an environment problem: one line, the details on request.
            await Console.Error.WriteLineAsync($"{path}: {e.GetType().Name}: {e.Message}");
            await Console.Error.WriteLineAsync(Environment.GetEnvironmentVariable("MARKETPULSE_DEBUG") is { Length: > 0 }
                ? e.ToString()
                : "(set MARKETPULSE_DEBUG=1 for the stack trace)");
            return 1;
        }
    }

    /// <summary>
    /// Takes out the configuration arguments: an option whose name (before any <c>=</c>) holds a ':', and with no
    /// <c>=</c> the argument after it, which is its value.
    /// </summary>
    public static (List<string> CommandArgs, string[] Configuration) SplitConfiguration(IReadOnlyList<string> args)
    {
        var commandArgs = new List<string>();
        var configuration = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':', StringComparison.Ordinal))
            {
                commandArgs.Add(arg);
                continue;
            }

            configuration.Add(arg);
            if (eq < 0 && i + 1 < args.Count)
            {
                configuration.Add(args[++i]);
            }
        }

        return (commandArgs, [.. configuration]);
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult command)
    {
        var names = new List<string>();
        for (var result = command; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }

        return string.Join(' ', names);
    }
}
