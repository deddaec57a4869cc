using System.CommandLine;

namespace MarketPulse.Cli;

/// <summary>
/// <c>marketpulse [command] [options]</c>. With no command it serves the whole pipeline
/// (<c>serve --target all</c>). Every command reads appsettings.json, environment variables and
/// <c>--Section:Key=value</c> arguments.
/// </summary>
public static class CommandLine
{
    public const string SettingsHelp =
        "Settings come from appsettings.json, environment variables (ConnectionStrings__Raw, Kafka__BootstrapServers, ...) " +
        "and --Section:Key=value arguments. See README.md.";

    public static Task<int> RunAsync(string[] args) => CommandRunner.RunAsync(Build, args, defaultCommand: "serve");

    public static RootCommand Build(string[] configuration) => new("MarketPulse: market-sentiment pipeline. " + SettingsHelp)
    {
        ServeCommand.Create(configuration),
        MigrateCommand.Create(configuration),
        BrokerCommand.Create(configuration),
        SignCommand.Create(configuration),
        AnalyzeCommand.Create(configuration),
        ReplayCommand.Create(configuration),
        HealthcheckCommand.Create(configuration),
    };
}
