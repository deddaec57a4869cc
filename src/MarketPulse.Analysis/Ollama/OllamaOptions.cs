using System.ComponentModel.DataAnnotations;

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
public sealed class OllamaOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Ollama";

    /// <summary>Base address of the Ollama server.</summary>
    [Required]
    public Uri? Endpoint { get; set; } = new("http://localhost:11434");

    /// <summary>Model tag, e.g. <c>granite3.3:8b</c> or <c>granite3.3:2b</c>; stored with every result.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Model { get; set; } = "granite3.3:8b";

    /// <summary>Limit for one HTTP attempt, including generation. An attempt over the limit counts as a transient failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:30:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after a transient failure (connection refused, 5xx, timeout); 0 tries once.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Median delay before the first retry; each further retry doubles it (jittered), up to 1.2 times the doubled value.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed attempts (retries count) with no success among them that open the circuit; at least 2.</summary>
    [Range(2, int.MaxValue)]
    public int CircuitBreakerFailures { get; set; } = 5;

    /// <summary>How long the circuit stays open before one trial call is let through (0.5 s to 1 day).</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan CircuitBreakerDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sampling temperature; 0 makes answers repeatable.</summary>
    [Range(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>Sampling seed, sent so that answers are repeatable at any temperature.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Context window in tokens (Ollama <c>num_ctx</c>).</summary>
    [Range(512, int.MaxValue)]
    public int ContextTokens { get; set; } = 4096;

    /// <summary>Upper bound on generated tokens (Ollama <c>num_predict</c>); a longer answer is rejected as truncated.</summary>
    [Range(64, int.MaxValue)]
    public int MaxAnswerTokens { get; set; } = 512;

    /// <summary>How long Ollama keeps the model loaded after a request.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Texts longer than this are cut before they are sent, so that the prompt fits the context window.</summary>
    [Range(1, int.MaxValue)]
    public int MaxTextChars { get; set; } = 4000;

    /// <summary>Requests of one batch that are in flight at the same time.</summary>
    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>What to do while Ollama is unavailable; used by <see cref="FallbackAnalyzer"/>.</summary>
    [EnumDataType(typeof(FallbackMode))]
    public FallbackMode Fallback { get; set; } = FallbackMode.Wait;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Endpoint is { } endpoint
            && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult("must be an absolute http(s) URI, e.g. http://localhost:11434.", [nameof(Endpoint)]);
        }
    }
}
