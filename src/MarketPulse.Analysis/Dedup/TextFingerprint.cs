using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MarketPulse.Analysis.Dedup;

/// <summary>
/// The exact-copy key of a text: SHA-256 of the text lower-cased, with leading retweet prefixes
/// ("RT @user:") and URLs removed, punctuation treated as space and whitespace folded.
/// </summary>
public static partial class TextFingerprint
{
    /// <summary>Lower-case hex SHA-256 of <see cref="Normalize"/>(<paramref name="text"/>).</summary>
    public static string Hash(string text)
    {
        var normalized = Normalize(text);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(normalized), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The form that is hashed; two texts with the same form are exact copies.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = RetweetPrefix().Replace(text, string.Empty);
        s = Url().Replace(s, " ");
        var sb = new StringBuilder(s.Length);
        var pendingSpace = false;
        foreach (var rune in s.EnumerateRunes())
        {
            // Punctuation becomes a separator rather than vanishing, so "5.2" and "52" stay different.
            if (Rune.IsWhiteSpace(rune) || Rune.IsPunctuation(rune) || Rune.IsControl(rune))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(Rune.ToLowerInvariant(rune).ToString());
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"^(\s*RT\s+@\w+\s*:\s*)+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RetweetPrefix();

    [GeneratedRegex(@"(https?://|www\.)\S+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Url();
}
