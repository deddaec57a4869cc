using System.CommandLine;
using System.Globalization;
using MarketPulse.Cli;
using MarketPulse.Storage;
using MarketPulse.Tools.Grafana;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// <c>marketpulse bench grafana [--rows 10000000] [--grafana DIR]</c>: every panel, variable and alert-rule query
/// of the provisioned Grafana (<see cref="GrafanaQueryBench"/>) on raw, analytics and logs databases of its own.
/// </summary>
internal static class GrafanaBenchCommand
{
    public static Command Create(string[] configuration)
    {
        var rows = CommandOptions.WholeNumber("--rows", "analysis rows seeded over 30 days", 10_000_000, 1_000, 100_000_000);
        var folder = new Option<DirectoryInfo>("--grafana") { Description = "the grafana folder (provisioning/ and dashboards/)", DefaultValueFactory = _ => new DirectoryInfo("grafana") };
        var keep = new Option<bool>("--keep") { Description = "leave the seeded databases in place afterwards (their names are printed) instead of dropping them" };
        var command = new Command("grafana", "the provisioned Grafana dashboards' and alert rules' queries over seeded databases of their own") { rows, folder, keep };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(rows), parse.GetValue(folder)!, parse.GetValue(keep), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rows, DirectoryInfo folder, bool keep, string[] configuration, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(folder.FullName, "provisioning")))
        {
            throw new UsageException($"{folder.FullName} holds no provisioning/ folder; run from the repository root or pass --grafana.");
        }

        var provisioning = GrafanaProvisioning.Load(folder.FullName);
        var admin = DashboardBenchCommand.AdminConnectionString(configuration, "grafana");
        await using var bench = await BenchDatabases.CreateAsync(admin, Enum.GetValues<DatabaseKind>(), cancellationToken);
        bench.Keep = keep;
        await using var databases = new Databases(bench.Settings(DatabaseKind.Analytics));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MarketPulse Grafana queries: {provisioning.Dashboards.Count} dashboards, {provisioning.Rules.Count} rules; seeding {rows:N0} rows into {bench.Name}_*; load average {IngestBenchmark.LoadAverage()}"));
        var bencher = new GrafanaQueryBench(bench, databases);
        await bencher.SeedAsync(rows, Console.Out, cancellationToken);
        await bencher.MeasureAsync(provisioning, Console.Out, cancellationToken);
        if (keep)
        {
            Console.WriteLine($"kept {bench.Name}_{{raw,analytics,logs}}; drop each with DROP DATABASE ... WITH (FORCE) when done");
        }

        return 0;
    }
}
