using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace MarketPulse.Alerting;

public static class AlertingServiceCollectionExtensions
{
    private static readonly TimeSpan MaxPollyTimeout = TimeSpan.FromDays(1);

    /// <summary><see cref="AlertingOptions"/> (section <c>Alerts</c>, validated at start) and the queue that stores alerts' deliveries; every role that stores alerts needs it.</summary>
    public static IServiceCollection AddAlertNotifications(this IServiceCollection services)
    {
        services.AddOptions<AlertingOptions>().BindConfiguration(AlertingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<NotificationQueue>();
        return services;
    }

    /// <summary>
    /// The <see cref="NotificationDispatcher"/> with its <see cref="HttpClient"/> behind the standard resilience handler
    /// (retries of transient failures with jittered exponential backoff, a circuit per receiving host), and the
    /// <see cref="SystemAlertEvaluator"/>; needs <see cref="AddAlertNotifications"/>.
    /// </summary>
    public static IServiceCollection AddAlertDelivery(this IServiceCollection services)
    {
        // The resilience handler enforces the timeouts; the client's own would cut retries short.
        // No request logging: Slack and Telegram URLs carry their secret (the webhook path, the bot token), and
        // HttpClient's default logging writes the request URI, with its path, to every log sink.
        services.AddHttpClient(NotificationDispatcher.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .AddStandardResilienceHandler()
            .SelectPipelineByAuthority()
            .Configure((resilience, sp) =>
            {
                AlertingOptions options;
                try
                {
                    options = sp.GetRequiredService<IOptions<AlertingOptions>>().Value;
                }
                catch (OptionsValidationException)
                {
                    // Reported once, by the options' own start validation; the handler keeps its defaults.
                    return;
                }

                Configure(resilience, options);
            });
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<SystemAlertEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<SystemAlertEvaluator>());
        return services;
    }

    private static void Configure(HttpStandardResilienceOptions resilience, AlertingOptions options)
    {
        resilience.AttemptTimeout.Timeout = options.RequestTimeout;
        resilience.Retry.MaxRetryAttempts = options.HttpRetries;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = options.HttpRetryDelay;
        resilience.CircuitBreaker.SamplingDuration = options.RequestTimeout * 2 > TimeSpan.FromSeconds(30) ? options.RequestTimeout * 2 : TimeSpan.FromSeconds(30);
        var total = options.DeliveryTimeout;
        resilience.TotalRequestTimeout.Timeout = total < MaxPollyTimeout ? total : MaxPollyTimeout;
    }
}
