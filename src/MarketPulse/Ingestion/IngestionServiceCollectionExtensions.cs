using MarketPulse.Messaging;
using MarketPulse.Outbox;
using MarketPulse.Storage;
using MarketPulse.Webhooks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MarketPulse.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>Webhook options and credentials, the grouped raw writer, the outbox publisher, metrics.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(sp => new RawItemWriter(sp.GetRequiredService<Databases>(), sp.GetRequiredService<OutboxSignal>()));
        services.AddHostedService<OutboxPublisher>();
        services.AddSingleton<ReplayQueue>();
        services.AddSingleton<BrokerMarks>();
        services.AddHostedService<RequeueOnStart>();
        services.AddSingleton(sp => new BrokerLossDetector(sp.GetRequiredService<KafkaProducer>(), sp.GetRequiredService<IOptions<KafkaOptions>>().Value.Sentiment.Name));
        services.AddHostedService<BrokerLossWatch>();
        services.AddHostedService<WebhookCredentialsReport>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: ["ready"]);
        return services;
    }

    private sealed class OutboxHealthCheck(IngestMetrics metrics) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            => Task.FromResult(OutboxFigures.Health(Interlocked.Read(ref metrics.OutboxBacklog), Interlocked.Read(ref metrics.OutboxDeadLetters), "items"));
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
