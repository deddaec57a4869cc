using System.CommandLine;
using System.Globalization;
using MarketPulse.Cli;
using MarketPulse.Storage;
using MarketPulse.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// <c>marketpulse bench dashboard [--rows 10000000]</c>: every query behind the page (<see cref="DashboardQueryBench"/>)
/// in an analytics database of its own, created through <c>ConnectionStrings:Admin</c> (the local stack's
/// <c>scripts/stack.sh env</c> sets it), migrated, seeded, measured and dropped again; never the service's database.
/// </summary>
internal static class DashboardBenchCommand
{
    public static Command Create(string[] configuration)
    {
        var rows = CommandOptions.WholeNumber("--rows", "analysis rows seeded over 30 days", 10_000_000, 1_000, 100_000_000);
        var command = new Command("dashboard", "the page's queries over a seeded analytics database of their own") { rows };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(rows), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rows, string[] configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        var admin = builder.Configuration.GetConnectionString("Admin")
            ?? throw new UsageException("bench dashboard needs ConnectionStrings__Admin (a login that may create databases), e.g. from scripts/stack.sh env.");
        var name = "marketpulse_bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(admin, $"CREATE DATABASE {name}", cancellationToken);
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
            await DatabaseMigrator.MigrateAsync(DatabaseKind.Analytics, connection, NullLogger.Instance, cancellationToken);
            var settings = new ConfigurationBuilder().AddInMemoryCollection(
                Enum.GetValues<DatabaseKind>().Select(kind => new KeyValuePair<string, string?>($"ConnectionStrings:{kind}", connection))).Build();
            await using var databases = new Databases(settings);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MarketPulse dashboard queries: seeding {rows:N0} rows into {name}; load average {IngestBenchmark.LoadAverage()}"));
            await new DashboardQueryBench(databases).RunAsync(rows, Console.Out, cancellationToken);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
        }

        return 0;
    }

    // The database name is ours (a fixed prefix and hex digits), not input: DDL takes no parameters.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "DDL on a name this command generated")]
    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
