using System.Globalization;
using System.Threading.RateLimiting;
using MarketPulse.Storage;
using MarketPulse.Webhooks;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MarketPulse.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>Webhook options and credentials, the grouped raw writer, the outbox publisher, rate limits, metrics.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(sp => new RawItemWriter(sp.GetRequiredService<Databases>(), sp.GetRequiredService<OutboxSignal>()));
        services.AddHostedService<OutboxPublisher>();
        services.AddHostedService<WebhookCredentialsReport>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: ["ready"]);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, perClient: false)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, perClient: true)));
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: $"Rate limit reached for this source; retry after {retryAfter} s.",
                    type: "urn:marketpulse:problem:rate_limit").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, bool perClient)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/webhooks", StringComparison.OrdinalIgnoreCase, out var rest))
        {
            return RateLimitPartition.GetNoLimiter("none");
        }

        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<WebhookOptions>>().CurrentValue;
        var source = rest.Value ?? "";
        var permits = perClient ? options.ClientPermitsPerSecond : options.SourcePermitsPerSecond;
        var key = perClient ? $"{source}|{context.Connection.RemoteIpAddress}" : source;
        // A tenth of the rate every 100 ms; below 10 a second, one token every 1/permits s, so the rate stays as configured.
        var tokensPerPeriod = Math.Max(1, permits / 10);
        return RateLimitPartition.GetTokenBucketLimiter($"{key}|{permits}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = permits,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds((double)tokensPerPeriod / permits),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private sealed class OutboxHealthCheck(IngestMetrics metrics) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var backlog = Interlocked.Read(ref metrics.OutboxBacklog);
            var data = new Dictionary<string, object> { ["backlog"] = backlog };
            return Task.FromResult(backlog > 100_000
                ? HealthCheckResult.Degraded($"{backlog} items wait to be published to Kafka", data: data)
                : HealthCheckResult.Healthy(data: data));
        }
    }

    /// <summary>Says at start which sources cannot accept anything for lack of credentials (never the credentials).</summary>
    private sealed class WebhookCredentialsReport(IOptions<WebhookOptions> options, ILogger<WebhookCredentialsReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var source in SourceNormalizers.All.Keys.Where(s => !options.Value.For(s).HasCredentials))
            {
                IngestLog.SourceNotConfigured(logger, source);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
