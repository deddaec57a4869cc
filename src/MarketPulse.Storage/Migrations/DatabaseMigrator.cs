using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MarketPulse.Storage.Migrations;

/// <summary>
/// Applies the versioned SQL files under Migrations/{Raw,Analytics,Logs} (embedded, ordered by name)
/// with DbUp, which records them in the table <c>schemaversions</c>. An applied file is never edited:
/// a change is a new file. Concurrent instances serialise on an advisory lock.
/// </summary>
public static class DatabaseMigrator
{
    private const long AdvisoryLockKey = 0x4d_50_4d_49_47; // "MPMIG"

    public static async Task<IReadOnlyList<string>> MigrateAsync(DatabaseKind kind, string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken);
        // Waits as long as another instance migrates (bounded by the caller's token, not the 30 s command timeout).
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", lockConnection) { CommandTimeout = 0 })
        {
            take.Parameters.AddWithValue(AdvisoryLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            return Upgrade(kind, connectionString, logger);
        }
        finally
        {
            // Closing does not release the lock: the pool keeps the session open and resets it only on
            // reuse, so another instance waiting for the lock would wait for ever.
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", lockConnection);
            release.Parameters.AddWithValue(AdvisoryLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static List<string> Upgrade(DatabaseKind kind, string connectionString, ILogger logger)
    {
        var prefix = $"{typeof(DatabaseMigrator).Namespace}.{kind}.";
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new DbUpLogger(logger))
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Migration of the {kind} database failed at {result.ErrorScript?.Name ?? "?"}: {result.Error?.Message}", result.Error);
        }

        return result.Scripts.Select(s => s.Name[prefix.Length..]).ToList();
    }

    private sealed class DbUpLogger(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }

        public void LogDebug(string format, params object[] args) { }

        public void LogInformation(string format, params object[] args) =>
            StorageLog.Migration(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogWarning(string format, params object[] args) =>
            StorageLog.MigrationWarning(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(string format, params object[] args) =>
            StorageLog.MigrationError(logger, null, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(Exception ex, string format, params object[] args) =>
            StorageLog.MigrationError(logger, ex, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
