using System.Globalization;
using System.Text.Json;

namespace MarketPulse.Webhooks;

/// <summary>
/// Reads the fields of one item (an object, or a positional array) and records what is wrong with them,
/// so one bad item yields all of its errors at once and the rest of the batch still goes through.
/// </summary>
internal sealed class ItemReader(JsonElement element, int index, string path, DateTimeOffset receivedAt, List<ItemError> errors)
{
    private readonly int _errorsAtStart = errors.Count;

    public JsonElement Element { get; } = element;

    public int Index { get; } = index;

    public string Path { get; } = path;

    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    public bool HasErrors => errors.Count > _errorsAtStart;

    public string FieldPath(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    public string ElementPath(int position) => $"{Path}[{position.ToString(CultureInfo.InvariantCulture)}]";

    public void Error(string field, string rule, string message) => errors.Add(new ItemError(Index, field, rule, message));

    /// <summary>The property, or null when it is missing or JSON null.</summary>
    public JsonElement? Get(string name) =>
        JsonValues.TryGetProperty(Element, name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A nested object reader sharing this item's index and errors; null when missing or not an object.</summary>
    public ItemReader? Object(string name)
    {
        var value = Get(name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            Error(FieldPath(name), "type", $"'{FieldPath(name)}' must be an object.");
            return null;
        }

        return new ItemReader(value.Value, Index, FieldPath(name), ReceivedAt, errors);
    }

    /// <summary>The raw string (numbers and booleans as their JSON text); reports required/type errors.</summary>
    public string? RawString(string name, bool required = false)
    {
        var value = Get(name);
        return RawString(value, FieldPath(name), required);
    }

    public string? RawString(JsonElement? value, string field, bool required)
    {
        string? text = value?.ValueKind switch
        {
            null => null,
            JsonValueKind.String => JsonValues.TryGetString(value.Value, out var s) ? s : Undecodable(field),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.Value.GetRawText(),
            _ => Invalid(field),
        };
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required && !HasErrorAt(field))
            {
                Error(field, "required", $"'{field}' is required and must not be empty.");
            }

            return null;
        }

        return text;
    }

    /// <summary>A provider id: trimmed, at most <see cref="Limits.MaxIdLength"/> characters.</summary>
    public string? Id(string name, bool required = false) => Id(Get(name), FieldPath(name), required);

    public string? Id(JsonElement? value, string field, bool required)
    {
        var text = RawString(value, field, required)?.Trim();
        return text is null ? null : WithinLength(text, field, Limits.MaxIdLength, "an id");
    }

    /// <summary>Sanitised text, checked against <paramref name="maxLength"/> after sanitising.</summary>
    public string? Text(string name, int maxLength, bool required = false) =>
        Text(Get(name), FieldPath(name), maxLength, required);

    public string? Text(JsonElement? value, string field, int maxLength, bool required)
    {
        if (value is { ValueKind: not JsonValueKind.String })
        {
            Error(field, "type", $"'{field}' must be a string; got {value.Value.ValueKind.ToString().ToLowerInvariant()}.");
            return null;
        }

        var clean = TextSanitizer.Clean(RawString(value, field, required: false));
        if (clean is null)
        {
            if (required && !HasErrorAt(field))
            {
                Error(field, "required", $"'{field}' is required and must contain text.");
            }

            return null;
        }

        return WithinLength(clean, field, maxLength, "this field");
    }

    public string? WithinLength(string text, string field, int maxLength, string what)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        Error(field, "max_length", $"'{field}' is {text.Length} characters long; {what} may have at most {maxLength}.");
        return null;
    }

    /// <summary>An absolute http(s) URL of at most <see cref="Limits.MaxUrlLength"/> characters.</summary>
    public string? Url(string name, bool required = false) => Url(RawString(name, required)?.Trim(), FieldPath(name));

    public string? Url(string? url, string field)
    {
        if (url is null)
        {
            return null;
        }

        if (url.Length > Limits.MaxUrlLength)
        {
            Error(field, "max_length", $"'{field}' is {url.Length} characters long; a URL may have at most {Limits.MaxUrlLength}.");
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Error(field, "url", $"'{field}' must be an absolute http or https URL; got '{Shorten(url)}'.");
            return null;
        }

        return uri.AbsoluteUri;
    }

    /// <summary>A time within [1990, receivedAt + skew]; unix s/ms or ISO strings (naive ones at <paramref name="assumedOffset"/>).</summary>
    public DateTimeOffset? Time(string name, bool required, TimeSpan assumedOffset, TimeSpan? maxAhead = null) =>
        Time(Get(name), FieldPath(name), required, assumedOffset, maxAhead);

    public DateTimeOffset? Time(JsonElement? value, string field, bool required, TimeSpan assumedOffset, TimeSpan? maxAhead = null)
    {
        if (value is null || (JsonValues.TryGetString(value.Value, out var s) && string.IsNullOrWhiteSpace(s)))
        {
            if (required)
            {
                Error(field, "required", $"'{field}' is required: a unix time (seconds or milliseconds) or an ISO-8601 time.");
            }

            return null;
        }

        if (!JsonValues.TryParseTime(value.Value, assumedOffset, out var time))
        {
            Error(field, "type", $"'{field}' is not a time: use unix seconds, unix milliseconds or ISO-8601 (e.g. 2024-06-10T09:15:00Z); got '{Shorten(value.Value.GetRawText())}'.");
            return null;
        }

        var latest = ReceivedAt + (maxAhead ?? Limits.MaxFutureSkew);
        if (time < Limits.EarliestTimestamp || time > latest)
        {
            Error(field, "timestamp_range",
                $"'{field}' is {time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}; it must lie between 1990-01-01 and {latest.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}. Check the unit (seconds or milliseconds) and the time zone.");
            return null;
        }

        return time;
    }

    /// <summary>A number (or numeric string); a non-numeric value is a type error.</summary>
    public double? Number(string name) => Number(Get(name), FieldPath(name));

    public double? Number(JsonElement? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        if (JsonValues.TryGetString(value.Value, out var s) && string.IsNullOrWhiteSpace(s))
        {
            return null;
        }

        var number = JsonValues.ParseNumber(value.Value);
        if (number is null)
        {
            Error(field, "type", $"'{field}' must be a number; got '{Shorten(value.Value.GetRawText())}'.");
        }

        return number;
    }

    /// <summary>Adds the number to <paramref name="metrics"/> under <paramref name="key"/> when present.</summary>
    public void Metric(Dictionary<string, double> metrics, string key, string name)
    {
        if (Number(name) is { } number)
        {
            metrics[key] = number;
        }
    }

    public static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private bool HasErrorAt(string field)
    {
        for (var i = _errorsAtStart; i < errors.Count; i++)
        {
            if (errors[i].Field == field)
            {
                return true;
            }
        }

        return false;
    }

    private string? Invalid(string field)
    {
        Error(field, "type", $"'{field}' must be a string.");
        return null;
    }

    /// <summary>Reports an item that holds an escaped lone surrogate anywhere (PostgreSQL cannot store it); true when it does.</summary>
    public bool CheckStorable()
    {
        if (JsonValues.FirstUndecodable(Element, Path) is not { } field)
        {
            return true;
        }

        if (field.Length == 0)
        {
            field = "root";
        }

        if (!HasErrorAt(field))
        {
            Undecodable(field);
        }

        return false;
    }

    private string? Undecodable(string field)
    {
        Error(field, "encoding", $"'{field}' holds an escaped lone UTF-16 surrogate (such as \\ud800), which is no text and cannot be stored; remove it or send the full surrogate pair.");
        return null;
    }
}
