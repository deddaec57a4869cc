using System.Globalization;
using System.Text;
using MarketPulse.Storage.Rollups;
using MarketPulse.Webhooks;

namespace MarketPulse.Api;

/// <summary>Reads and checks the dashboard APIs' query parameters; a wrong one throws <see cref="InvalidParameterException"/>.</summary>
public static class QueryParameters
{
    public const int MaxSeriesPoints = 5_000;
    public const int MaxLimit = 500;

    private static readonly string[] AssetClasses = ["equity", "index", "commodity", "currency", "crypto", "rates", "macro"];
    private static readonly string[] Labels = ["bullish", "bearish", "neutral"];

    /// <summary>The range [from, to): <c>to</c> defaults to now, <c>from</c> to <paramref name="defaultLength"/> before it.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Range(string? from, string? to, TimeSpan defaultLength, TimeProvider time)
    {
        var end = to is null ? time.GetUtcNow() : Instant("to", to);
        var start = from is null ? end - defaultLength : Instant("from", from);
        if (start >= end)
        {
            throw new InvalidParameterException("from", "from must be earlier than to.");
        }

        return (start, end);
    }

    public static RollupGrain Interval(string? interval, TimeSpan range)
    {
        var grain = interval switch
        {
            null or "" => SentimentQueries.GrainFor(range),
            "1m" => RollupGrain.Minute,
            "5m" => RollupGrain.FiveMinutes,
            "1h" => RollupGrain.Hour,
            "1d" => RollupGrain.Day,
            _ => throw new InvalidParameterException("interval", "interval must be one of 1m, 5m, 1h, 1d."),
        };
        var points = Math.Ceiling(range / SentimentQueries.Width(grain));
        if (points > MaxSeriesPoints)
        {
            throw new InvalidParameterException("interval",
                $"The range holds {points:0} buckets of {interval}; a series has at most {MaxSeriesPoints}: ask for a coarser interval or a shorter range.");
        }

        return grain;
    }

    public static string? Symbol(string? symbol)
    {
        if (string.IsNullOrEmpty(symbol))
        {
            return null;
        }

        if (symbol.Length > 64 || symbol.Any(char.IsControl))
        {
            throw new InvalidParameterException("symbol", "symbol must be at most 64 printable characters.");
        }

        return symbol.ToUpperInvariant();
    }

    public static string? AssetClass(string? assetClass) => OneOf("asset_class", assetClass, AssetClasses);

    public static string? Label(string? label) => OneOf("label", label, Labels);

    public static string? Source(string? source) => OneOf("source", source, SourceNormalizers.All.Keys.Order(StringComparer.Ordinal).ToArray());

    public static int Limit(string? limit, int defaultLimit) =>
        limit is null ? defaultLimit
        : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit ? n
        : throw new InvalidParameterException("limit", $"limit must be a whole number from 1 to {MaxLimit}.");

    /// <summary>True for CSV (<c>format=csv</c> or <c>Accept: text/csv</c>), false for JSON.</summary>
    public static bool WantsCsv(HttpRequest request, string? format) => format switch
    {
        "csv" => true,
        "json" => false,
        null => request.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true),
        _ => throw new InvalidParameterException("format", "format must be csv or json."),
    };

    /// <summary>An opaque keyset cursor: the last row's (analyzed_at, item_id, version).</summary>
    public static string EncodeCursor(DateTimeOffset analyzedAt, Guid itemId, string version) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{analyzedAt.UtcTicks}|{itemId:N}|{version}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (DateTimeOffset AnalyzedAt, Guid ItemId, string Version)? Cursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
            var parts = text.Split('|', 3);
            if (parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
            {
                return (new DateTimeOffset(ticks, TimeSpan.Zero), id, parts[2]);
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidParameterException("cursor", "cursor is not one this API gave out; start again without it.");
    }

    private static DateTimeOffset Instant(string name, string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new InvalidParameterException(name, $"{name} must be an ISO 8601 time, e.g. 2026-12-01T09:15:00Z.");

    private static string? OneOf(string name, string? value, string[] allowed) =>
        string.IsNullOrEmpty(value) ? null
        : allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase))
          ?? throw new InvalidParameterException(name, $"{name} must be one of {string.Join(", ", allowed)}.");
}
