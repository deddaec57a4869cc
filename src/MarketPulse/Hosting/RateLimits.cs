using System.Globalization;
using System.Threading.RateLimiting;
using MarketPulse.Api;
using MarketPulse.Webhooks;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace MarketPulse.Hosting;

/// <summary>
/// Rate limits with ASP.NET Core's limiter: webhooks per source (all senders together) and per source and
/// client; the read API per client. Over the limit: 429 with Retry-After, as problem+json.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, perClient: false)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, perClient: true)));
            o.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: $"Rate limit reached; retry after {retryAfter} s.",
                    type: "urn:marketpulse:problem:rate_limit").ExecuteAsync(rejected.HttpContext);
            };
        });

    private static RateLimitPartition<string> Partition(HttpContext context, bool perClient)
    {
        var path = context.Request.Path;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (path.StartsWithSegments("/webhooks", StringComparison.OrdinalIgnoreCase, out var rest))
        {
            var options = context.RequestServices.GetRequiredService<IOptionsMonitor<WebhookOptions>>().CurrentValue;
            // The source the route serves, not the raw path: /webhooks/NEWS and /webhooks/news/ share news's buckets,
            // and paths no route serves share one bucket instead of minting a bucket each.
            var source = SourceNormalizers.Find(rest.Value?.Trim('/') ?? "")?.Source ?? "unrouted";
            return perClient
                ? Bucket($"webhooks|{source}|{client}", options.ClientPermitsPerSecond)
                : Bucket($"webhooks|{source}", options.SourcePermitsPerSecond);
        }

        if (perClient && path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            return Bucket($"api|{client}", context.RequestServices.GetRequiredService<IOptionsMonitor<ApiOptions>>().CurrentValue.ClientPermitsPerSecond);
        }

        return RateLimitPartition.GetNoLimiter("none");
    }

    private static RateLimitPartition<string> Bucket(string key, int permitsPerSecond)
    {
        permitsPerSecond = Math.Max(1, permitsPerSecond);

        // A tenth of the rate every 100 ms; below 10 a second, one token every 1/permits s, so the rate stays as configured.
        var tokensPerPeriod = Math.Max(1, permitsPerSecond / 10);
        return RateLimitPartition.GetTokenBucketLimiter($"{key}|{permitsPerSecond}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = permitsPerSecond,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds((double)tokensPerPeriod / permitsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
