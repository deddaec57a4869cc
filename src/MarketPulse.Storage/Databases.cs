using Microsoft.Extensions.Configuration;
using Npgsql;

namespace MarketPulse.Storage;

/// <summary>One <see cref="NpgsqlDataSource"/> per database, built from <c>ConnectionStrings:Raw|Analytics|Logs</c>.</summary>
public sealed class Databases : IAsyncDisposable
{
    private readonly Dictionary<DatabaseKind, NpgsqlDataSource> _sources = [];
    private readonly Dictionary<DatabaseKind, string> _connectionStrings = [];

    public Databases(IConfiguration configuration)
    {
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            var connectionString = ConnectionString(configuration, kind);
            _connectionStrings[kind] = connectionString;
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "marketpulse";
            _sources[kind] = builder.Build();
        }
    }

    public NpgsqlDataSource Raw => _sources[DatabaseKind.Raw];

    public NpgsqlDataSource Analytics => _sources[DatabaseKind.Analytics];

    public NpgsqlDataSource Logs => _sources[DatabaseKind.Logs];

    public NpgsqlDataSource this[DatabaseKind kind] => _sources[kind];

    /// <summary>The connection string as configured, password included (the data source's own omits it).</summary>
    public string ConnectionStringOf(DatabaseKind kind) => _connectionStrings[kind];

    /// <summary>The configuration key of a database's connection string, as a person would write it.</summary>
    public static string SettingName(DatabaseKind kind) => $"ConnectionStrings:{kind}";

    /// <summary>Reads and checks a connection string; a missing or unparsable one names its setting.</summary>
    public static string ConnectionString(IConfiguration configuration, DatabaseKind kind)
    {
        var value = configuration.GetConnectionString(kind.ToString());
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new StartupException(SettingName(kind), $"PostgreSQL ({kind} database): no connection string is set (environment variable ConnectionStrings__{kind}).");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host) || string.IsNullOrEmpty(builder.Database))
            {
                throw new StartupException(SettingName(kind), $"PostgreSQL ({kind} database): the connection string needs Host and Database.");
            }
        }
        catch (ArgumentException e)
        {
            throw new StartupException(SettingName(kind), $"PostgreSQL ({kind} database): the connection string is not valid: {e.Message}");
        }

        return value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values)
        {
            await source.DisposeAsync();
        }
    }
}
