using System.ComponentModel.DataAnnotations;

namespace MarketPulse.Webhooks;

/// <summary>Webhook settings (section <c>Webhooks</c>). Secrets come from configuration only and are never logged.</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>Per-source settings, keyed by source name (truedata, news, twitter, reddit, economic).</summary>
    public Dictionary<string, WebhookSourceOptions> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest accepted request body.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How far a signed timestamp may be from now before the request is refused as a possible replay.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests a second all senders of one source may make together.</summary>
    [Range(1, int.MaxValue)]
    public int SourcePermitsPerSecond { get; set; } = 20_000;

    /// <summary>Requests a second one client (remote address) may make to one source.</summary>
    [Range(1, int.MaxValue)]
    public int ClientPermitsPerSecond { get; set; } = 10_000;

    public WebhookSourceOptions For(string source) =>
        Sources.TryGetValue(source, out var options) ? options : new WebhookSourceOptions();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (source, o) in Sources)
        {
            if (SourceNormalizers.Find(source) is null)
            {
                yield return new ValidationResult(
                    $"unknown source; known: {string.Join(", ", SourceNormalizers.All.Keys)}.", [$"{nameof(Sources)}:{source}"]);
            }

            foreach (var (key, value) in new[] { ("Secret", o.Secret), ("PreviousSecret", o.PreviousSecret), ("ApiKey", o.ApiKey) })
            {
                if (!string.IsNullOrEmpty(value) && value.Length < 16)
                {
                    yield return new ValidationResult("must be at least 16 characters.", [$"{nameof(Sources)}:{source}:{key}"]);
                }
            }
        }
    }
}

/// <summary>One source's credentials.</summary>
public sealed class WebhookSourceOptions
{
    /// <summary>HMAC-SHA256 key of the signature; at least 16 characters.</summary>
    public string? Secret { get; set; }

    /// <summary>The previous secret, still accepted while senders move to the new one.</summary>
    public string? PreviousSecret { get; set; }

    /// <summary>Optional key for senders that cannot sign, sent in <c>X-MarketPulse-Api-Key</c>.</summary>
    public string? ApiKey { get; set; }

    public bool HasCredentials => !string.IsNullOrEmpty(Secret) || !string.IsNullOrEmpty(ApiKey);
}
