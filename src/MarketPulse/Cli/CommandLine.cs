using MarketPulse.Storage;
using Microsoft.Extensions.Options;

namespace MarketPulse.Cli;

/// <summary>
/// <c>marketpulse [command] [options]</c>. With no command it serves the whole pipeline
/// (<c>serve --target all</c>). Every command reads appsettings.json, environment variables and
/// <c>--Section:Key=value</c> arguments.
/// </summary>
public static class CommandLine
{
    private static readonly Dictionary<string, (string Summary, Func<string[], CancellationToken, Task<int>> Run)> Commands = new(StringComparer.Ordinal)
    {
        ["serve"] = ("run the service: --target all|ingest|analyze (default all)", ServeCommand.RunAsync),
        ["migrate"] = ("apply pending SQL migrations to the raw, analytics and logs databases", MigrateCommand.RunAsync),
        ["broker"] = ("host the in-memory Kafka-protocol development broker and print its address", BrokerCommand.RunAsync),
        ["sign"] = ("print the headers that sign a webhook body: --source NAME --file BODY.json (- for stdin)", SignCommand.RunAsync),
        ["bench"] = ("measure a part of the pipeline on this machine: bench ingest [--seconds 60] [--concurrency 32] [--batch 10] [--warmup 15]", BenchCommand.RunAsync),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var (name, rest) = args.Length == 0 || args[0].StartsWith('-') ? ("serve", args) : (args[0], args[1..]);
        if (name is "help" or "--help" or "-h")
        {
            PrintUsage(Console.Out);
            return 0;
        }

        if (!Commands.TryGetValue(name, out var command))
        {
            await Console.Error.WriteLineAsync($"marketpulse: unknown command '{name}'.");
            PrintUsage(Console.Error);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        try
        {
            return await command.Run(rest, cancel.Token);
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"marketpulse: {e.Message}");
            return 1;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"marketpulse: invalid configuration: {string.Join(" ", e.Failures)}");
            return 1;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"marketpulse {name}: {e.Message}");
            return 2;
        }
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("usage: marketpulse <command> [options]");
        writer.WriteLine();
        foreach (var (name, (summary, _)) in Commands)
        {
            writer.WriteLine($"  {name,-10} {summary}");
        }

        writer.WriteLine();
        writer.WriteLine("Settings come from appsettings.json, environment variables (ConnectionStrings__Raw, Kafka__BootstrapServers, ...)");
        writer.WriteLine("and --Section:Key=value arguments. See README.md.");
    }
}

/// <summary>A mistake in the command line: printed without a stack trace, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
