using System.Diagnostics;
using System.Net.Sockets;
using MarketPulse.Messaging;
using Npgsql;
using StackExchange.Redis;

namespace MarketPulse.Hosting;

/// <summary>Cheap round trips to each dependency, shared by the start-up check and the readiness endpoint.</summary>
public static class DependencyProbes
{
    public static async Task<TimeSpan> PingPostgresAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
        return watch.Elapsed;
    }

    public static async Task<TimeSpan> PingRedisAsync(IConnectionMultiplexer redis, CancellationToken cancellationToken) =>
        await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);

    public static async Task<TimeSpan> PingKafkaAsync(KafkaEnvironment kafka, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var brokers = await Task.Run(() => kafka.ProbeBrokers(timeout), cancellationToken);
        return brokers > 0 ? watch.Elapsed : throw new InvalidOperationException("the cluster reported no brokers");
    }

    /// <summary>One line saying why PostgreSQL could not be used, without a stack trace.</summary>
    public static string DescribePostgresFailure(Exception e, NpgsqlDataSource dataSource)
    {
        var csb = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var where = $"{csb.Host}:{csb.Port}/{csb.Database} as {csb.Username}";
        return e switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p =>
                $"login refused at {where}: {p.MessageText} ({p.SqlState}); check the password",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } p =>
                $"database missing at {where}: {p.MessageText} ({p.SqlState})",
            PostgresException p => $"error at {where}: {p.MessageText} ({p.SqlState})",
            NpgsqlException { InnerException: SocketException s } => $"cannot connect to {where}: {s.Message}",
            NpgsqlException { InnerException: TimeoutException } or TimeoutException or OperationCanceledException => $"no answer from {where} in time",
            _ => $"cannot use {where}: {e.Message}",
        };
    }
}
