using Confluent.Kafka;
using MarketPulse.Analysis.Ollama;
using Npgsql;
using StackExchange.Redis;

namespace MarketPulse.Worker;

/// <summary>What a failure of the worker's processing means for the batch in hand.</summary>
public enum FailureKind
{
    /// <summary>Something the worker needs is down (database, Redis, Kafka, the analyser): pause and retry the batch, skip nothing.</summary>
    Dependency,

    /// <summary>The host is stopping: the batch is handed back unfinished (its offsets are not stored).</summary>
    Shutdown,

    /// <summary>The data of an item (or the analyser on its text) fails, and would fail again: isolate it, set it aside after <c>Analysis:MaxAttempts</c>.</summary>
    Item,
}

/// <summary>
/// Sorts the exceptions of the worker's processing into dependency outages, shutdown and item faults. Dependency:
/// <see cref="NpgsqlException"/> (except a <see cref="PostgresException"/> of SQLSTATE class 22 data exception or 23
/// integrity constraint violation, which the item's values cause), Redis connection and timeout errors,
/// <see cref="KafkaException"/>, <see cref="HttpRequestException"/>, <see cref="TimeoutException"/>,
/// <see cref="AnalyzerUnavailableException"/> and a cancellation that is not the shutdown (an HTTP client timeout).
/// Inner exceptions are searched too (a wrapped connection error is still an outage). Everything else is an item fault.
/// </summary>
public static class DependencyFailure
{
    public static FailureKind Classify(Exception exception, CancellationToken stoppingToken)
    {
        if (exception is OperationCanceledException && stoppingToken.IsCancellationRequested)
        {
            return FailureKind.Shutdown;
        }

        return IsDependency(exception) ? FailureKind.Dependency : FailureKind.Item;
    }

    /// <summary>Whether the exception, or one it wraps, is a dependency outage.</summary>
    public static bool IsDependency(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsDependency),
        PostgresException postgres => !IsDataError(postgres.SqlState),
        NpgsqlException or RedisConnectionException or RedisTimeoutException or KafkaException
            or HttpRequestException or TimeoutException or AnalyzerUnavailableException or OperationCanceledException => true,
        { InnerException: { } inner } => IsDependency(inner),
        _ => false,
    };

    /// <summary>SQLSTATE class 22 (data exception: bad encoding, value out of range) or 23 (integrity constraint violation).</summary>
    public static bool IsDataError(string sqlState) =>
        sqlState.StartsWith("22", StringComparison.Ordinal) || sqlState.StartsWith("23", StringComparison.Ordinal);
}
