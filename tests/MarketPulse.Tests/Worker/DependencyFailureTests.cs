using Confluent.Kafka;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Worker;
using Npgsql;
using StackExchange.Redis;

namespace MarketPulse.Tests.Worker;

public sealed class DependencyFailureTests
{
    public static TheoryData<Exception> Dependencies() =>
    [
        new NpgsqlException("connection refused"),
        new PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P03"),
        new PostgresException("deadlock detected", "ERROR", "ERROR", "40P01"),
        new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no connection"),
        new RedisTimeoutException("timeout", CommandStatus.Sent),
        new KafkaException(ErrorCode.Local_Transport),
        new HttpRequestException("connection refused"),
        new TimeoutException(),
        new TaskCanceledException("HttpClient.Timeout elapsed"),
        new AnalyzerUnavailableException("circuit open"),
        new InvalidOperationException("wrapped", new NpgsqlException("broken pipe")),
        new AggregateException(new InvalidOperationException("item"), new HttpRequestException("down")),
    ];

    public static TheoryData<Exception> ItemFaults() =>
    [
        new InvalidOperationException("the analyser cannot handle this text"),
        new PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021"),
        new PostgresException("value too long", "ERROR", "ERROR", "22001"),
        new PostgresException("null value violates not-null constraint", "ERROR", "ERROR", "23502"),
        new ArgumentOutOfRangeException("score"),
        new NullReferenceException(),
        new FormatException(),
    ];

    [Theory]
    [MemberData(nameof(Dependencies))]
    public void Outages_of_a_dependency_pause_the_partition(Exception exception) =>
        Assert.Equal(FailureKind.Dependency, DependencyFailure.Classify(exception, CancellationToken.None));

    [Theory]
    [MemberData(nameof(ItemFaults))]
    public void Everything_else_is_a_fault_of_the_item(Exception exception) =>
        Assert.Equal(FailureKind.Item, DependencyFailure.Classify(exception, CancellationToken.None));

    [Fact]
    public void A_cancellation_during_shutdown_is_neither()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();
        Assert.Equal(FailureKind.Shutdown, DependencyFailure.Classify(new OperationCanceledException(stopping.Token), stopping.Token));
        Assert.Equal(FailureKind.Item, DependencyFailure.Classify(new InvalidOperationException(), stopping.Token));
    }
}
