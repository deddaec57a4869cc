using MarketPulse.Messaging;
using MarketPulse.Storage;
using MarketPulse.Storage.Logging;
using MarketPulse.Storage.Migrations;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MarketPulse.Hosting;

/// <summary>
/// Runs first: checks that each dependency answers (failing the start with one line that names the
/// setting), applies migrations when configured, makes the Kafka topics, then lets the log sink write.
/// </summary>
internal sealed class StartupChecks(
    HostTarget target,
    Databases databases,
    IConnectionMultiplexer redis,
    KafkaEnvironment kafka,
    IOptions<StartupOptions> options,
    IOptions<RedisOptions> redisOptions,
    IOptions<MarketPulse.Api.ApiOptions> apiOptions,
    IConfiguration configuration,
    IServiceProvider services,
    ILogger<StartupChecks> logger) : IHostedService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        CheckApiKeyBeyondLoopback();
        CheckBrokerOfOneRole();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout * 3);
        var token = timeout.Token;

        await Task.WhenAll(Enum.GetValues<DatabaseKind>().Select(kind => CheckPostgresAsync(kind, token)).Append(CheckRedisAsync(token)));

        if (!kafka.IsMockCluster)
        {
            try
            {
                await DependencyProbes.PingKafkaAsync(kafka, Timeout, token);
            }
            catch (Exception e) when (e is not StartupException)
            {
                throw new StartupException("Kafka:BootstrapServers", $"Kafka: no broker answered at {kafka.BootstrapServers}: {e.Message}");
            }
        }

        if (options.Value.MigrateOnStart)
        {
            foreach (var kind in Enum.GetValues<DatabaseKind>())
            {
                var applied = await DatabaseMigrator.MigrateAsync(kind, databases.ConnectionStringOf(kind), logger, cancellationToken);
                HostingLog.MigrationsApplied(logger, kind.ToString(), applied.Count);
            }
        }

        if (kafka.Options.CreateTopics || kafka.IsMockCluster)
        {
            await kafka.EnsureTopicsAsync(cancellationToken);
        }
        services.GetService<DatabaseLoggerProvider>()?.Start();
        HostingLog.DependenciesReady(logger, kafka.BootstrapServers);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// One role alone with the in-process broker talks to nobody: the ingest role's messages never reach an
    /// analyze process, which hosts a broker of its own. Only the one-machine mode may host it unasked.
    /// </summary>
    private void CheckBrokerOfOneRole()
    {
        if (target == HostTarget.All || !kafka.IsMockCluster || kafka.Options.AllowInProcessBroker)
        {
            return;
        }

        throw new StartupException("Kafka:BootstrapServers",
            $"the {target.Name()} role would host its own in-process broker, which no other process reaches; set Kafka__BootstrapServers to the address `./marketpulse broker` prints or to a real cluster (Kafka__AllowInProcessBroker=true runs it alone anyway).");
    }

    /// <summary>The read API may go without a key only while the service listens on loopback.</summary>
    private void CheckApiKeyBeyondLoopback()
    {
        if (!string.IsNullOrEmpty(apiOptions.Value.Key))
        {
            return;
        }

        var urls = (configuration["Urls"] ?? configuration["ASPNETCORE_URLS"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            var host = url.Split("://", 2)[^1].Split('/')[0];
            host = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':')[0];
            var loopback = host is "localhost" || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
            if (!loopback)
            {
                throw new StartupException("Api:Key", $"the service listens on {url}, beyond loopback, so the read API needs a bearer key (environment variable Api__Key).");
            }
        }
    }

    private async Task CheckPostgresAsync(DatabaseKind kind, CancellationToken cancellationToken)
    {
        try
        {
            await DependencyProbes.PingPostgresAsync(databases[kind], cancellationToken);
        }
        catch (Exception e)
        {
            throw new StartupException(Databases.SettingName(kind), $"PostgreSQL ({kind} database): {DependencyProbes.DescribePostgresFailure(e, databases[kind])}.");
        }
    }

    private async Task CheckRedisAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DependencyProbes.PingRedisAsync(redis, cancellationToken);
        }
        catch (Exception e)
        {
            var endpoints = string.Join(",", redisOptions.Value.Parse().EndPoints.Select(ep => ep.ToString()));
            // StackExchange.Redis appends a long diagnostic dump after " - "; the line keeps the failure and its first sentence.
            var reason = e switch
            {
                OperationCanceledException => "no answer in time",
                RedisConnectionException c => $"{(c.InnerException as RedisConnectionException ?? c).FailureType} ({c.Message.Split(" - ")[0]})",
                _ => e.Message.Split('\n')[0],
            };
            throw new StartupException("Redis:Configuration", $"Redis: cannot reach {endpoints}: {reason}.");
        }
    }
}
