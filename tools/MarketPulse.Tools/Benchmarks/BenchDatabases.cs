using MarketPulse.Storage;
using MarketPulse.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// Databases of a benchmark's own (<c>marketpulse_bench_&lt;hex&gt;_&lt;kind&gt;</c>), created through
/// <c>ConnectionStrings:Admin</c>, migrated, and dropped on dispose; never the service's databases.
/// </summary>
internal sealed class BenchDatabases : IAsyncDisposable
{
    private readonly string _admin;
    private readonly Dictionary<DatabaseKind, string> _connectionStrings = [];

    private BenchDatabases(string admin, string name)
    {
        _admin = admin;
        Name = name;
    }

    public string Name { get; }

    /// <summary>When set, dispose leaves the databases in place (for looking at a seeded set by hand) instead of dropping them.</summary>
    public bool Keep { get; set; }

    public string this[DatabaseKind kind] => _connectionStrings[kind];

    public static async Task<BenchDatabases> CreateAsync(string admin, IEnumerable<DatabaseKind> kinds, CancellationToken cancellationToken)
    {
        var databases = new BenchDatabases(admin, "marketpulse_bench_" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            foreach (var kind in kinds)
            {
                var name = $"{databases.Name}_{kind.ToString().ToLowerInvariant()}";
                await ExecuteAsync(admin, $"CREATE DATABASE {name}", cancellationToken);
                databases._connectionStrings[kind] = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
                await DatabaseMigrator.MigrateAsync(kind, databases._connectionStrings[kind], NullLogger.Instance, cancellationToken);
            }
        }
        catch
        {
            await databases.DisposeAsync();
            throw;
        }

        return databases;
    }

    /// <summary>Configuration pointing every <see cref="DatabaseKind"/> at its database, or at <paramref name="fallback"/>'s when it has none.</summary>
    public IConfiguration Settings(DatabaseKind fallback) => new ConfigurationBuilder().AddInMemoryCollection(
        Enum.GetValues<DatabaseKind>().Select(kind => new KeyValuePair<string, string?>($"ConnectionStrings:{kind}", _connectionStrings.GetValueOrDefault(kind, _connectionStrings[fallback])))).Build();

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Keep)
        {
            return;
        }

        foreach (var kind in _connectionStrings.Keys)
        {
            await ExecuteAsync(_admin, $"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(_connectionStrings[kind]).Database} WITH (FORCE)", CancellationToken.None);
        }
    }

    // The database names are ours (a fixed prefix, hex digits and a kind), not input: DDL takes no parameters.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "DDL on a name this class generated")]
    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
