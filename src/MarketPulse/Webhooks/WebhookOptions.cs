using Microsoft.Extensions.Options;

namespace MarketPulse.Webhooks;

/// <summary>Webhook settings (section <c>Webhooks</c>). Secrets come from configuration only and are never logged.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Per-source settings, keyed by source name (truedata, news, twitter, reddit, economic).</summary>
    public Dictionary<string, WebhookSourceOptions> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest accepted request body.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How far a signed timestamp may be from now before the request is refused as a possible replay.</summary>
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests a second all senders of one source may make together.</summary>
    public int SourcePermitsPerSecond { get; set; } = 20_000;

    /// <summary>Requests a second one client (remote address) may make to one source.</summary>
    public int ClientPermitsPerSecond { get; set; } = 10_000;

    public WebhookSourceOptions For(string source) =>
        Sources.TryGetValue(source, out var options) ? options : new WebhookSourceOptions();
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

internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            failures.Add("Webhooks:MaxBodyBytes must be between 1024 and 67108864.");
        }

        if (options.SignatureTolerance < TimeSpan.FromSeconds(10) || options.SignatureTolerance > TimeSpan.FromHours(1))
        {
            failures.Add("Webhooks:SignatureTolerance must be between 00:00:10 and 01:00:00.");
        }

        if (options.SourcePermitsPerSecond < 1 || options.ClientPermitsPerSecond < 1)
        {
            failures.Add("Webhooks:SourcePermitsPerSecond and Webhooks:ClientPermitsPerSecond must be at least 1.");
        }

        foreach (var (source, o) in options.Sources)
        {
            if (SourceNormalizers.Find(source) is null)
            {
                failures.Add($"Webhooks:Sources:{source}: unknown source; known: {string.Join(", ", SourceNormalizers.All.Keys)}.");
            }

            foreach (var (key, value) in new[] { ("Secret", o.Secret), ("PreviousSecret", o.PreviousSecret), ("ApiKey", o.ApiKey) })
            {
                if (!string.IsNullOrEmpty(value) && value.Length < 16)
                {
                    failures.Add($"Webhooks:Sources:{source}:{key} must be at least 16 characters.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
