using MarketPulse.Storage;
using MarketPulse.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MarketPulse.Testing;

/// <summary>
/// Three fresh databases (raw, analytics, logs) with unique names on the test PostgreSQL, migrated,
/// dropped on dispose: each test class gets its own, so tests never see each other's rows.
/// </summary>
public sealed class TestDatabases : IAsyncDisposable
{
    private readonly Dictionary<DatabaseKind, string> _connectionStrings = [];

    private TestDatabases(string prefix) => Prefix = prefix;

    public string Prefix { get; }

    public string this[DatabaseKind kind] => _connectionStrings[kind];

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Database names are generated from a GUID; identifiers cannot be parameters.")]
    public static async Task<TestDatabases> CreateAsync(bool migrate = true)
    {
        var databases = new TestDatabases(TestStack.UniqueName("mpt"));
        var admin = new NpgsqlConnectionStringBuilder(TestStack.AdminConnectionString);
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            var name = $"{databases.Prefix}_{kind.ToString().ToLowerInvariant()}";
            await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
            {
                await create.ExecuteNonQueryAsync();
            }

            databases._connectionStrings[kind] = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name, MaxPoolSize = 30 }.ConnectionString;
            if (migrate)
            {
                await DatabaseMigrator.MigrateAsync(kind, databases._connectionStrings[kind], NullLogger.Instance, CancellationToken.None);
            }
        }

        return databases;
    }

    /// <summary>Configuration entries pointing the application at these databases.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
        _connectionStrings.Select(kv => new KeyValuePair<string, string?>($"ConnectionStrings:{kv.Key}", kv.Value));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Tests pass literal SQL; values go as parameters.")]
    public async Task<T?> ScalarAsync<T>(DatabaseKind kind, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(_connectionStrings[kind]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>
    /// Takes one database down for its clients (new connections refused, open sessions ended) or up again; the
    /// clients' pooled connections fail once each afterwards, as after a real restart.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Database names are generated from a GUID; identifiers cannot be parameters.")]
    public async Task AllowConnectionsAsync(DatabaseKind kind, bool allow)
    {
        var database = new NpgsqlConnectionStringBuilder(_connectionStrings[kind]).Database!;
        await using var connection = new NpgsqlConnection(TestStack.AdminConnectionString);
        await connection.OpenAsync();
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {(allow ? "true" : "false")}", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        if (!allow)
        {
            await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", connection);
            terminate.Parameters.Add(new NpgsqlParameter { Value = database });
            await terminate.ExecuteScalarAsync();
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Database names are generated from a GUID; identifiers cannot be parameters.")]
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestStack.AdminConnectionString);
        await connection.OpenAsync();
        foreach (var kind in _connectionStrings.Keys)
        {
            var name = new NpgsqlConnectionStringBuilder(_connectionStrings[kind]).Database;
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
