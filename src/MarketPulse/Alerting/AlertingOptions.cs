using System.ComponentModel.DataAnnotations;

namespace MarketPulse.Alerting;

/// <summary>Delivery of alerts to people and the system rules (section <c>Alerts</c>).</summary>
public sealed class AlertingOptions : IValidatableObject
{
    public const string Section = "Alerts";

    /// <summary>Receivers of every stored alert, by name (the name is kept in the <c>notifications</c> rows).</summary>
    public Dictionary<string, NotifierOptions> Notifiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Failed deliveries of one notification before it moves to <c>notification_dead_letters</c>.</summary>
    [Range(1, 100)]
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>Pause after the first failed delivery; doubled after each further one, at most an hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of transient HTTP failures inside one delivery (standard resilience handler, with backoff).</summary>
    [Range(1, 10)]
    public int HttpRetries { get; set; } = 2;

    /// <summary>First backoff of those retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan HttpRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle dispatcher looks for notifications that are due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The analysis latency rule fires when the p95 of <c>analysis_results.latency_ms</c> in the window exceeds this; 0 turns it off.</summary>
    [Range(0.0, 3_600_000.0)]
    public double LatencyP95Ms { get; set; } = 5000;

    /// <summary>Window of the latency rule, ending at the evaluation.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan LatencyWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Least analyses in the window before the latency is judged; fewer count as clear.</summary>
    [Range(1, 1_000_000)]
    public int LatencyMinItems { get; set; } = 20;

    /// <summary>The outbox backlog rule fires when the raw or the analytics outbox holds more unpublished rows than this; 0 turns it off.</summary>
    [Range(0, 100_000_000)]
    public int OutboxBacklogRows { get; set; } = 10_000;

    /// <summary>The error rate rule fires when a component logged more ERROR or FATAL rows than this in the window; 0 turns it off.</summary>
    [Range(0, 1_000_000)]
    public int ErrorRateCount { get; set; } = 50;

    /// <summary>Window of the error rate rule, ending at the evaluation.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ErrorRateWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The consumer lag rule fires when the analysis workers' consumer group (<c>Kafka:ConsumerGroup</c>) has more messages of the sentiment topic not yet committed than this; 0 turns it off.</summary>
    [Range(0L, 1_000_000_000_000L)]
    public long ConsumerLagMessages { get; set; } = 10_000;

    /// <summary>The dependency rule fires when a readiness check of a dependency (PostgreSQL raw, analytics, logs, Redis, Kafka) has failed at every evaluation for longer than this many seconds; 0 turns it off.</summary>
    [Range(0, 86_400)]
    public int DependencyDownSeconds { get; set; } = 60;

    /// <summary>How long a firing condition must stay clear before the "resolved" alert; flapping within it sends nothing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ResolveAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the system rules are evaluated (by one process at a time).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whole attempt of one delivery: every HTTP attempt, their backoffs and a second to spare.</summary>
    public TimeSpan DeliveryTimeout
    {
        get
        {
            var backoff = HttpRetryDelay * (Math.Pow(2, HttpRetries) - 1) * 1.2;
            return (RequestTimeout * (HttpRetries + 1)) + backoff + TimeSpan.FromSeconds(1);
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, n) in Notifiers)
        {
            var path = $"{nameof(Notifiers)}:{name}";
            if (!Uri.TryCreate(n.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                yield return new ValidationResult("must be an absolute http or https URL.", [$"{path}:{nameof(NotifierOptions.Url)}"]);
            }

            if (n.Format is not (NotifierOptions.Webhook or NotifierOptions.Slack or NotifierOptions.Telegram))
            {
                yield return new ValidationResult("must be 'webhook', 'slack' or 'telegram'.", [$"{path}:{nameof(NotifierOptions.Format)}"]);
            }

            if (!string.IsNullOrEmpty(n.Secret) && n.Secret.Length < 16)
            {
                yield return new ValidationResult("must be at least 16 characters.", [$"{path}:{nameof(NotifierOptions.Secret)}"]);
            }

            if (n.Format == NotifierOptions.Telegram && string.IsNullOrWhiteSpace(n.ChatId))
            {
                yield return new ValidationResult("is required for the telegram format.", [$"{path}:{nameof(NotifierOptions.ChatId)}"]);
            }
        }
    }
}
