using System.CommandLine;
using MarketPulse.Storage;
using MarketPulse.Storage.Migrations;

namespace MarketPulse.Cli;

internal static class MigrateCommand
{
    public static Command Create(string[] configuration)
    {
        var command = new Command("migrate", "apply pending SQL migrations to the raw, analytics and logs databases");
        command.SetAction((_, cancellationToken) => RunAsync(configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        using var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var logger = loggers.CreateLogger("migrate");
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            var connectionString = Databases.ConnectionString(builder.Configuration, kind);
            IReadOnlyList<string> applied;
            try
            {
                applied = await DatabaseMigrator.MigrateAsync(kind, connectionString, logger, cancellationToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                await using var source = Npgsql.NpgsqlDataSource.Create(connectionString);
                throw new StartupException(Databases.SettingName(kind), $"PostgreSQL ({kind} database): {Hosting.DependencyProbes.DescribePostgresFailure(e, source)}.");
            }

            Console.WriteLine(applied.Count == 0
                ? $"{kind}: up to date"
                : $"{kind}: applied {string.Join(", ", applied)}");
        }

        return 0;
    }
}
