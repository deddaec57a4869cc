using System.Net;
using MarketPulse.Analysis.Dedup;
using MarketPulse.Testing;
using MarketPulse.Tools.Benchmarks;
using StackExchange.Redis;

namespace MarketPulse.Analysis.Tests.Dedup;

/// <summary>Runs its own redis-server (not the shared one) so that it can kill and restart it.</summary>
public sealed class RedisRestartTests
{
    [Fact]
    public async Task Checks_throw_while_redis_is_down_and_work_again_after_it_restarts()
    {
        using var server = await OwnRedisServer.StartAsync();
        var options = new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Loopback, server.Port) },
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
            AsyncTimeout = 1000,
            SyncTimeout = 1000,
            ReconnectRetryPolicy = new LinearRetry(250),
        };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var logger = new RecordingLogger<NearDuplicateIndex>();
        using var index = Dedup.Index(redis, Dedup.Options("restart"), logger: logger);
        var random = new Random(7);
        var vector = SyntheticVectors.RandomUnit(random, Dedup.Dimensions);
        var hash = TextFingerprint.Hash("Gold rallies on weak dollar");
        Assert.Equal(DedupOutcome.Original, (await index.CheckNearAsync("before", vector, Dedup.Model, CancellationToken.None)).Outcome);

        await server.KillAsync();
        var nearError = await Record.ExceptionAsync(() => index.CheckNearAsync("during", vector, Dedup.Model, CancellationToken.None));
        var exactError = await Record.ExceptionAsync(() => index.CheckExactAsync("during", hash, CancellationToken.None));

        Assert.True(nearError is RedisException or TimeoutException, $"near check while down gave {nearError?.GetType().Name ?? "a decision"}");
        Assert.True(exactError is RedisException or TimeoutException, $"exact check while down gave {exactError?.GetType().Name ?? "a decision"}");

        await server.RestartAsync();
        // The new server has an empty script cache (NOSCRIPT) and, without persistence, an empty index.
        var first = await Poll.UntilSucceedsAsync(
            () => index.CheckNearAsync("after", vector, Dedup.Model, CancellationToken.None),
            e => e is RedisException or TimeoutException,
            TimeSpan.FromSeconds(30));
        var copy = await index.CheckNearAsync("after-copy", SyntheticVectors.AtSimilarity(random, vector, 0.98), Dedup.Model, CancellationToken.None);
        var exactFirst = await index.CheckExactAsync("after", hash, CancellationToken.None);
        var exactCopy = await index.CheckExactAsync("after-copy", hash, CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, first.Outcome);
        Assert.Equal((DedupOutcome.NearDuplicate, "after"), (copy.Outcome, copy.OriginalId));
        Assert.Equal(DedupOutcome.Original, exactFirst.Outcome);
        Assert.Equal((DedupOutcome.ExactDuplicate, "after"), (exactCopy.Outcome, exactCopy.OriginalId));
        Assert.Contains(6100, logger.EventIds); // the scripts were sent again after NOSCRIPT
    }
}
