using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MarketPulse.Webhooks;

/// <summary>
/// The webhook signature, in the manner of Stripe's and GitHub's: HMAC-SHA256 over
/// <c>"{unix seconds}.{raw body}"</c> with the source's secret, sent as
/// <c>X-MarketPulse-Timestamp: 1735689600</c> and <c>X-MarketPulse-Signature: sha256=&lt;hex&gt;</c>.
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-MarketPulse-Timestamp";
    public const string SignatureHeader = "X-MarketPulse-Signature";
    public const string ApiKeyHeader = "X-MarketPulse-Api-Key";
    private const string Scheme = "sha256=";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(secret, timestamp, body, mac);
        return Scheme + Convert.ToHexStringLower(mac);
    }

    /// <summary>Adds the signature headers for <paramref name="body"/> (the request's content) to a request.</summary>
    public static void AddHeaders(System.Net.Http.HttpRequestMessage request, string secret, ReadOnlySpan<byte> body, DateTimeOffset signedAt)
    {
        var timestamp = signedAt.ToUnixTimeSeconds();
        request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
    }

    /// <summary>The headers that sign <paramref name="body"/> now, as <c>Name: value</c> lines.</summary>
    public static IReadOnlyList<string> HeaderLines(string secret, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds();
        return [$"{TimestampHeader}: {timestamp.ToString(CultureInfo.InvariantCulture)}", $"{SignatureHeader}: {Sign(secret, timestamp, body)}"];
    }

    /// <summary>Checks a signature in constant time against the current and the previous secret.</summary>
    public static SignatureCheck Verify(WebhookSourceOptions source, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(source.Secret))
        {
            return SignatureCheck.NotConfigured;
        }

        if (timestampHeader is null || signatureHeader is null)
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return SignatureCheck.Invalid;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds)
        {
            return SignatureCheck.Expired;
        }

        Span<byte> given = stackalloc byte[32];
        if (!signatureHeader.StartsWith(Scheme, StringComparison.Ordinal)
            || signatureHeader.Length != Scheme.Length + 64
            || Convert.FromHexString(signatureHeader.AsSpan(Scheme.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != 32)
        {
            return SignatureCheck.Invalid;
        }

        Span<byte> expected = stackalloc byte[32];
        var ok = false;
        foreach (var secret in new[] { source.Secret, source.PreviousSecret })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                Compute(secret, timestamp, body, expected);
                ok |= CryptographicOperations.FixedTimeEquals(expected, given);
            }
        }

        return ok ? SignatureCheck.Valid : SignatureCheck.Invalid;
    }

    /// <summary>Compares an API key in constant time.</summary>
    public static bool ApiKeyMatches(WebhookSourceOptions source, string? given)
    {
        if (string.IsNullOrEmpty(source.ApiKey) || given is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(source.ApiKey)),
            SHA256.HashData(Encoding.UTF8.GetBytes(given)));
    }

    private static void Compute(string secret, long timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}

public enum SignatureCheck
{
    Valid,
    Missing,
    Invalid,
    Expired,
    NotConfigured,
}
