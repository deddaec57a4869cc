using System.ComponentModel.DataAnnotations;

namespace MarketPulse.Api;

/// <summary>Settings of the read API (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// Bearer key for /api/*. Required whenever the service listens beyond loopback; when empty on
    /// loopback, the API is open to local callers only.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Requests a second one client may make to /api/*.</summary>
    [Range(1, 1_000_000)]
    public int ClientPermitsPerSecond { get; set; } = 200;

    /// <summary>Longest text /api/analyze takes.</summary>
    [Range(1, 1_000_000)]
    public int MaxTextLength { get; set; } = 20_000;
}
