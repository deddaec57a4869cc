using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MarketPulse.Analysis.Dedup;
using MarketPulse.Tools.Benchmarks;
using StackExchange.Redis;

namespace MarketPulse.Analysis.Tests.Dedup;

/// <summary>Runs its own redis-server (not the shared one) so that it can kill and restart it.</summary>
public sealed class RedisRestartTests : IAsyncLifetime
{
    private const string RedisServer = "/usr/bin/redis-server";
    private readonly string _directory = Directory.CreateTempSubdirectory("mp-dedup-redis-").FullName;
    private readonly int _port = FreePort();
    private Process? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Stop();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Checks_throw_while_redis_is_down_and_work_again_after_it_restarts()
    {
        await StartAsync();
        var options = new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Loopback, _port) },
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

        Stop();
        var nearError = await Record.ExceptionAsync(() => index.CheckNearAsync("during", vector, Dedup.Model, CancellationToken.None));
        var exactError = await Record.ExceptionAsync(() => index.CheckExactAsync("during", hash, CancellationToken.None));

        Assert.True(nearError is RedisException or TimeoutException, $"near check while down gave {nearError?.GetType().Name ?? "a decision"}");
        Assert.True(exactError is RedisException or TimeoutException, $"exact check while down gave {exactError?.GetType().Name ?? "a decision"}");

        await StartAsync();
        // The new server has an empty script cache (NOSCRIPT) and, without persistence, an empty index.
        var first = await RetryUntilConnectedAsync(() => index.CheckNearAsync("after", vector, Dedup.Model, CancellationToken.None));
        var copy = await index.CheckNearAsync("after-copy", SyntheticVectors.AtSimilarity(random, vector, 0.98), Dedup.Model, CancellationToken.None);
        var exactFirst = await index.CheckExactAsync("after", hash, CancellationToken.None);
        var exactCopy = await index.CheckExactAsync("after-copy", hash, CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, first.Outcome);
        Assert.Equal((DedupOutcome.NearDuplicate, "after"), (copy.Outcome, copy.OriginalId));
        Assert.Equal(DedupOutcome.Original, exactFirst.Outcome);
        Assert.Equal((DedupOutcome.ExactDuplicate, "after"), (exactCopy.Outcome, exactCopy.OriginalId));
        Assert.Contains(4100, logger.EventIds); // the scripts were sent again after NOSCRIPT
    }

    private static async Task<DedupDecision> RetryUntilConnectedAsync(Func<Task<DedupDecision>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when ((ex is RedisException or TimeoutException) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private async Task StartAsync()
    {
        if (!File.Exists(RedisServer))
        {
            throw new InvalidOperationException(
                $"{RedisServer} is missing: this test runs its own Redis server to kill and restart it. Install it with `apt-get install redis-server`.");
        }

        var start = new ProcessStartInfo(RedisServer)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[] { "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    private void Stop()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            _server.WaitForExit();
        }

        _server?.Dispose();
        _server = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
