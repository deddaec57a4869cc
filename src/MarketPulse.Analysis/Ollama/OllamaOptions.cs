using Microsoft.Extensions.Options;

namespace MarketPulse.Analysis.Ollama;

/// <summary>What the pipeline does while the primary analyser is unavailable.</summary>
public enum FallbackMode
{
    /// <summary>Surface <see cref="AnalyzerUnavailableException"/> so the caller retries the items later.</summary>
    Wait,

    /// <summary>Analyse the items with the fallback (embedded) analyser now.</summary>
    Fallback,
}

/// <summary>Settings of the Ollama analyser, bound from the <c>Ollama</c> configuration section.</summary>
public sealed class OllamaOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Ollama";

    /// <summary>Base address of the Ollama server.</summary>
    public Uri? Endpoint { get; set; } = new("http://localhost:11434");

    /// <summary>Model tag, e.g. <c>granite3.3:8b</c> or <c>granite3.3:2b</c>; stored with every result.</summary>
    public string Model { get; set; } = "granite3.3:8b";

    /// <summary>Limit for one HTTP attempt, including generation. An attempt over the limit counts as a transient failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after a transient failure (connection refused, 5xx, timeout); 0 tries once.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Median delay before the first retry; each further retry doubles it (jittered), up to 1.2 times the doubled value.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed attempts (retries count) with no success among them that open the circuit; at least 2.</summary>
    public int CircuitBreakerFailures { get; set; } = 5;

    /// <summary>How long the circuit stays open before one trial call is let through (0.5 s to 1 day).</summary>
    public TimeSpan CircuitBreakerDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sampling temperature; 0 makes answers repeatable.</summary>
    public double Temperature { get; set; }

    /// <summary>Sampling seed, sent so that answers are repeatable at any temperature.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Context window in tokens (Ollama <c>num_ctx</c>).</summary>
    public int ContextTokens { get; set; } = 4096;

    /// <summary>Upper bound on generated tokens (Ollama <c>num_predict</c>); a longer answer is rejected as truncated.</summary>
    public int MaxAnswerTokens { get; set; } = 512;

    /// <summary>How long Ollama keeps the model loaded after a request.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Texts longer than this are cut before they are sent, so that the prompt fits the context window.</summary>
    public int MaxTextChars { get; set; } = 4000;

    /// <summary>Requests of one batch that are in flight at the same time.</summary>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>What to do while Ollama is unavailable; used by <see cref="FallbackAnalyzer"/>.</summary>
    public FallbackMode Fallback { get; set; } = FallbackMode.Wait;
}

/// <summary>Rejects settings that would make the analyser misbehave instead of failing at start.</summary>
public sealed class OllamaOptionsValidator : IValidateOptions<OllamaOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OllamaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.Endpoint is null || !options.Endpoint.IsAbsoluteUri
            || (options.Endpoint.Scheme != Uri.UriSchemeHttp && options.Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Ollama:Endpoint must be an absolute http(s) URI, e.g. http://localhost:11434.");
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            failures.Add("Ollama:Model must name a model, e.g. granite3.3:8b.");
        }

        if (options.RequestTimeout < TimeSpan.FromMilliseconds(10) || options.RequestTimeout > TimeSpan.FromMinutes(30))
        {
            failures.Add("Ollama:RequestTimeout must be between 10 milliseconds and 30 minutes.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add("Ollama:MaxRetries must be between 0 and 10.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add("Ollama:RetryBaseDelay must be between 0 and 1 minute.");
        }

        if (options.CircuitBreakerFailures < 2)
        {
            failures.Add("Ollama:CircuitBreakerFailures must be at least 2.");
        }

        if (options.CircuitBreakerDuration < TimeSpan.FromMilliseconds(500) || options.CircuitBreakerDuration > TimeSpan.FromDays(1))
        {
            failures.Add("Ollama:CircuitBreakerDuration must be between 0.5 seconds and 1 day.");
        }

        if (double.IsNaN(options.Temperature) || options.Temperature is < 0 or > 2)
        {
            failures.Add("Ollama:Temperature must be between 0 and 2.");
        }

        if (options.ContextTokens < 512)
        {
            failures.Add("Ollama:ContextTokens must be at least 512.");
        }

        if (options.MaxAnswerTokens < 64)
        {
            failures.Add("Ollama:MaxAnswerTokens must be at least 64.");
        }

        if (options.KeepAlive < TimeSpan.Zero)
        {
            failures.Add("Ollama:KeepAlive must not be negative.");
        }

        if (options.MaxTextChars < 1)
        {
            failures.Add("Ollama:MaxTextChars must be at least 1.");
        }

        if (options.MaxConcurrency is < 1 or > 64)
        {
            failures.Add("Ollama:MaxConcurrency must be between 1 and 64.");
        }

        if (!Enum.IsDefined(options.Fallback))
        {
            failures.Add("Ollama:Fallback must be Wait or Fallback.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
