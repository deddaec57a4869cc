using System.Globalization;
using System.Text.Json;

namespace MarketPulse.Webhooks;

/// <summary>Lenient readers for the number and time encodings providers actually send.</summary>
public static class JsonValues
{
    /// <summary>India Standard Time: TrueData sends exchange-local times without an offset.</summary>
    public static readonly TimeSpan Ist = TimeSpan.FromHours(5.5);

    // Unix times at or above this are milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973.
    private const double MillisecondThreshold = 1e11;

    /// <summary>Case-sensitive property lookup, then a case-insensitive one (Trading Economics spells CalendarId/CalendarID both ways).</summary>
    public static bool TryGetProperty(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            value = default;
            return false;
        }

        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A number, or a string holding one ("1472.8", "2.5%", "1.2K", "-0.3B", "$4.1M"); null for null, "" and text.</summary>
    public static double? ParseNumber(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String => ParseNumber(value.GetString()),
        _ => null,
    };

    /// <summary>Parses "2.5%", "1.2K", "178K", "-0.3B", "$4.1M", "1,234.5"; null when it is not a number.</summary>
    public static double? ParseNumber(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var s = text.Trim().Replace(",", string.Empty, StringComparison.Ordinal);
        s = s.TrimStart('$', '€', '£', '¥', '₹').TrimEnd('%').Trim();
        var multiplier = 1.0;
        if (s.Length > 1)
        {
            multiplier = char.ToUpperInvariant(s[^1]) switch
            {
                'K' => 1e3,
                'M' => 1e6,
                'B' => 1e9,
                'T' => 1e12,
                _ => 1.0,
            };
            if (multiplier != 1.0)
            {
                s = s[..^1].TrimEnd();
            }
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number * multiplier
            : null;
    }

    /// <summary>
    /// A time: unix seconds or milliseconds (number or digit string), or an ISO-8601-like string.
    /// A string without an offset is taken at <paramref name="assumedOffset"/>.
    /// </summary>
    public static bool TryParseTime(JsonElement value, TimeSpan assumedOffset, out DateTimeOffset time)
    {
        time = default;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return TryFromUnix(value.GetDouble(), out time);
            case JsonValueKind.String:
                return TryParseTime(value.GetString(), assumedOffset, out time);
            default:
                return false;
        }
    }

    /// <inheritdoc cref="TryParseTime(JsonElement, TimeSpan, out DateTimeOffset)"/>
    public static bool TryParseTime(string? text, TimeSpan assumedOffset, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var unix))
        {
            return TryFromUnix(unix, out time);
        }

        if (!DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            return false;
        }

        if (parsed.Kind == DateTimeKind.Unspecified)
        {
            time = new DateTimeOffset(parsed, assumedOffset);
            return true;
        }

        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out time);
    }

    private static bool TryFromUnix(double unix, out DateTimeOffset time)
    {
        time = default;
        if (!double.IsFinite(unix) || unix < 0)
        {
            return false;
        }

        var ms = unix >= MillisecondThreshold ? unix : unix * 1000;
        if (ms > 253_402_300_799_000)
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(ms));
        return true;
    }
}
