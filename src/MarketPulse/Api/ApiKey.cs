using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MarketPulse.Api;

/// <summary>The <c>Authorization: Bearer &lt;Api:Key&gt;</c> check shared by /api/* and the details of /health/ready.</summary>
public static class ApiKey
{
    /// <summary>True when no key is configured (loopback only) or the request carries it; compared in constant time.</summary>
    public static bool IsPresented(HttpContext context)
    {
        var key = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.Key;
        if (string.IsNullOrEmpty(key))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
