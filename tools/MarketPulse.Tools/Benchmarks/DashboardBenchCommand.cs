using System.CommandLine;
using System.Globalization;
using MarketPulse.Cli;
using MarketPulse.Storage;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// <c>marketpulse bench dashboard [--rows 10000000]</c>: every query behind the page (<see cref="DashboardQueryBench"/>)
/// in an analytics database of its own (and an empty raw one for the headlines; <see cref="BenchDatabases"/>, through <c>ConnectionStrings:Admin</c>,
/// which the local stack's <c>scripts/stack.sh env</c> sets), migrated, seeded, measured and dropped again.
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

    /// <summary>ConnectionStrings:Admin of the tools' configuration, or a usage error naming <paramref name="bench"/>.</summary>
    internal static string AdminConnectionString(string[] configuration, string bench)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        return builder.Configuration.GetConnectionString("Admin")
            ?? throw new UsageException($"bench {bench} needs ConnectionStrings__Admin (a login that may create databases), e.g. from scripts/stack.sh env.");
    }

    private static async Task<int> RunAsync(int rows, string[] configuration, CancellationToken cancellationToken)
    {
        await using var bench = await BenchDatabases.CreateAsync(AdminConnectionString(configuration, "dashboard"), [DatabaseKind.Analytics, DatabaseKind.Raw], cancellationToken);
        await using var databases = new Databases(bench.Settings(DatabaseKind.Analytics));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MarketPulse dashboard queries: seeding {rows:N0} rows into {bench.Name}_analytics; load average {IngestBenchmark.LoadAverage()}"));
        await new DashboardQueryBench(databases).RunAsync(rows, Console.Out, cancellationToken);
        return 0;
    }
}
