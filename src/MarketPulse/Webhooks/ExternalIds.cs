using System.Security.Cryptography;
using System.Text;

namespace MarketPulse.Webhooks;

/// <summary>Stable ids for items that carry no provider id.</summary>
public static class ExternalIds
{
    /// <summary>
    /// "h:" + lower-case SHA-256 hex of the source and the identifying fields, joined by U+001F
    /// (a null field counts as empty). The same inputs give the same id on every run and machine.
    /// </summary>
    public static string Hash(string source, params string?[] fields)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fields);
        var joined = source + "\u001f" + string.Join('\u001f', fields.Select(f => f ?? string.Empty));
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(joined));
        return "h:" + Convert.ToHexStringLower(digest);
    }
}
