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
    public static bool TryGetProperty(JsonElement obj, string name, out JsonElement value) =>
        TryGetExact(obj, name, out value) || Find(obj, name, StringComparison.OrdinalIgnoreCase, out value);

    /// <summary>Exact-name property lookup that is false (not an exception) when <paramref name="obj"/> is no object.</summary>
    public static bool TryGetExact(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        try
        {
            return obj.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            // A name the lookup passed holds an escaped lone surrogate, and the lookup unescapes every name it compares.
            return Find(obj, name, StringComparison.Ordinal, out value);
        }
    }

    private static bool Find(JsonElement obj, string name, StringComparison comparison, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in obj.EnumerateObject())
            {
                if (string.Equals(NameOf(property), name, comparison))
                {
                    value = property.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>Whether <paramref name="obj"/> is an object with a property of exactly this name.</summary>
    public static bool Has(JsonElement obj, string name) => TryGetExact(obj, name, out _);

    /// <summary>The string value of the exactly named property; null when missing, of another kind, or not decodable.</summary>
    public static string? StringProperty(JsonElement obj, string name) =>
        TryGetExact(obj, name, out var value) ? String(value) : null;

    /// <summary>The string; null for another kind and for a string that is no valid UTF-16 (an escaped lone surrogate).</summary>
    public static string? String(JsonElement value) => TryGetString(value, out var text) ? text : null;

    /// <summary>
    /// False for another kind, and for a string whose escapes decode to no valid UTF-16 ("\ud800" alone):
    /// System.Text.Json accepts those in the document and throws only when the string is read.
    /// </summary>
    public static bool TryGetString(JsonElement value, out string? text)
    {
        text = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The property's name; null when its escapes are no valid UTF-16.</summary>
    public static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The path of the first string or property name in <paramref name="element"/> that is no valid UTF-16, or null.
    /// PostgreSQL refuses such escapes in jsonb, so an item holding one anywhere cannot be stored.
    /// </summary>
    public static string? FirstUndecodable(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return TryGetString(element, out _) ? null : path;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstUndecodable(item, Batch.At(path, i++)) is { } bad)
                    {
                        return bad;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (NameOf(property) is not { } name)
                    {
                        return path;
                    }

                    if (FirstUndecodable(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } bad)
                    {
                        return bad;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>A number, or a string holding one ("1472.8", "2.5%", "1.2K", "-0.3B", "$4.1M"); null for null, "" and text.</summary>
    public static double? ParseNumber(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetDouble(out var number) && double.IsFinite(number) ? number : null,
        JsonValueKind.String => ParseNumber(String(value)),
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
                return value.TryGetDouble(out var unix) && TryFromUnix(unix, out time);
            case JsonValueKind.String:
                return TryParseTime(String(value), assumedOffset, out time);
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
