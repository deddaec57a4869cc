using System.Text.Json;
using MarketPulse.Api;
using MarketPulse.Hosting;
using MarketPulse.Messaging;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace MarketPulse.Health;

/// <summary><c>/health</c> (liveness: the process answers) and <c>/health/ready</c> (every dependency, with latency).</summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    /// <summary>Tag of the checks that probe a dependency (not the outboxes): the dependency alert rule runs these.</summary>
    public const string DependencyTag = "dependency";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddMarketPulseHealth(this IServiceCollection services)
    {
        var checks = services.AddHealthChecks();
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            checks.Add(new HealthCheckRegistration(
                $"postgres_{kind.ToString().ToLowerInvariant()}",
                sp => new DelegateCheck(ct => DependencyProbes.PingPostgresAsync(sp.GetRequiredService<Databases>()[kind], ct),
                    e => DependencyProbes.DescribePostgresFailure(e, sp.GetRequiredService<Databases>()[kind])),
                HealthStatus.Unhealthy, [ReadyTag, DependencyTag], CheckTimeout));
        }

        checks.Add(new HealthCheckRegistration("redis",
            sp => new DelegateCheck(ct => DependencyProbes.PingRedisAsync(sp.GetRequiredService<IConnectionMultiplexer>(), ct), e => e.Message),
            HealthStatus.Unhealthy, [ReadyTag, DependencyTag], CheckTimeout));
        checks.Add(new HealthCheckRegistration("kafka",
            sp => new DelegateCheck(ct => DependencyProbes.PingKafkaAsync(sp.GetRequiredService<KafkaEnvironment>(), TimeSpan.FromSeconds(2), ct), e => e.Message),
            HealthStatus.Unhealthy, [ReadyTag, DependencyTag], CheckTimeout));
        return services;
    }

    public static IEndpointRouteBuilder MapMarketPulseHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        if (!ApiKey.IsPresented(context))
        {
            // Hosts, database names, users, latencies and errors are for operators only.
            var summary = new
            {
                status = report.Status.ToString(),
                dependencies = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString() }),
            };
            return JsonSerializer.SerializeAsync(context.Response.Body, summary, MessageJson.Options, context.RequestAborted);
        }

        var body = new
        {
            status = report.Status.ToString(),
            totalMs = Math.Round(report.TotalDuration.TotalMilliseconds, 2),
            dependencies = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    latencyMs = Math.Round(e.Value.Duration.TotalMilliseconds, 2),
                    error = e.Value.Status == HealthStatus.Healthy ? null : e.Value.Description,
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, MessageJson.Options, context.RequestAborted);
    }

    private sealed class DelegateCheck(Func<CancellationToken, Task<TimeSpan>> probe, Func<Exception, string> describe) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await probe(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy(describe(e));
            }
        }
    }
}
