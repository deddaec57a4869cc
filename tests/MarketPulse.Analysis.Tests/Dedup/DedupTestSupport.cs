using MarketPulse.Analysis.Dedup;
using MarketPulse.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MarketPulse.Analysis.Tests.Dedup;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>One connection to the test Redis for all dedup tests.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public IConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Redis = await ConnectionMultiplexer.ConnectAsync(TestStack.RedisConfiguration);

    public async Task DisposeAsync() => await Redis.DisposeAsync();

    /// <summary>Keys whose name contains <paramref name="prefix"/>.</summary>
    public async Task<List<RedisKey>> KeysAsync(string prefix)
    {
        var keys = new List<RedisKey>();
        foreach (var endpoint in Redis.GetEndPoints())
        {
            await foreach (var key in Redis.GetServer(endpoint).KeysAsync(pattern: "*" + prefix + "*", pageSize: 1000))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    public async Task DeleteAsync(string prefix)
    {
        var keys = await KeysAsync(prefix);
        foreach (var chunk in keys.Chunk(500))
        {
            await Redis.GetDatabase().KeyDeleteAsync(chunk);
        }
    }
}

internal static class Dedup
{
    public const string Model = "test-model";
    public const int Dimensions = 384;

    public static DedupOptions Options(string prefix) => new() { KeyPrefix = prefix };

    public static NearDuplicateIndex Index(
        IConnectionMultiplexer redis, DedupOptions options, TimeProvider? time = null, Microsoft.Extensions.Logging.ILogger<NearDuplicateIndex>? logger = null) =>
        new(redis, Microsoft.Extensions.Options.Options.Create(options), time ?? TimeProvider.System,
            logger ?? NullLogger<NearDuplicateIndex>.Instance);
}

/// <summary>Keeps the event ids of what was logged.</summary>
internal sealed class RecordingLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    public System.Collections.Concurrent.ConcurrentQueue<int> EventIds { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
        Exception? exception, Func<TState, Exception?, string> formatter) => EventIds.Enqueue(eventId.Id);
}
