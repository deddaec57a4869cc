using System.Text.Json;

namespace MarketPulse.Webhooks;

/// <summary>What an item carries: text to analyse, a market-data point, or an economic-calendar event.</summary>
public enum ItemKind
{
    Text,
    MarketData,
    EconomicEvent,
}

/// <summary>One item of any source, after validation and sanitisation.</summary>
/// <param name="Source">"truedata", "news", "twitter", "reddit" or "economic".</param>
/// <param name="ExternalId">The provider's id (news ids carry a provider prefix, e.g. "finnhub:123"), else <see cref="ExternalIds.Hash"/> ("h:" + SHA-256 hex).</param>
/// <param name="Kind">What the item carries.</param>
/// <param name="Text">Sanitised text to analyse; null for market data and for removed or deleted content.</param>
/// <param name="Title">Sanitised title or headline.</param>
/// <param name="Author">Author or user name, as the provider spells it.</param>
/// <param name="Url">Absolute http(s) link to the item.</param>
/// <param name="Language">Language code as the provider gives it (e.g. "en").</param>
/// <param name="PublishedAt">When the provider says the item was published (or the tick/bar time).</param>
/// <param name="Symbols">Symbols from structured fields only (cashtags, TrueData symbols, ticker lists), upper-case, distinct.</param>
/// <param name="Metrics">Engagement counts, market values or economic figures; flags are 1.</param>
/// <param name="RawJson">The item's own JSON, verbatim.</param>
public sealed record CanonicalItem(
    string Source,
    string ExternalId,
    ItemKind Kind,
    string? Text,
    string? Title,
    string? Author,
    string? Url,
    string? Language,
    DateTimeOffset? PublishedAt,
    IReadOnlyList<string> Symbols,
    IReadOnlyDictionary<string, double> Metrics,
    string RawJson);

/// <summary>Why one item of a batch was rejected.</summary>
/// <param name="Index">Position of the item in the batch (0 for a single item).</param>
/// <param name="Field">JSON-path-like location, e.g. "articles[3].title".</param>
/// <param name="Rule">"required", "max_length", "timestamp_range", "url", "type", "format" or "removed".</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record ItemError(int Index, string Field, string Rule, string Message);

/// <summary>An accepted item and its position in the batch.</summary>
public sealed record IndexedItem(int Index, CanonicalItem Item);

/// <summary>The accepted items and the rejected ones of one payload.</summary>
public sealed record NormalizeResult(IReadOnlyList<IndexedItem> Items, IReadOnlyList<ItemError> Errors);

/// <summary>Parses one provider's native JSON into <see cref="CanonicalItem"/>s.</summary>
public interface ISourceNormalizer
{
    /// <summary>The source name, also the endpoint name (POST /webhooks/{Source}).</summary>
    string Source { get; }

    /// <summary>Normalises a payload: one item or a batch.</summary>
    /// <exception cref="PayloadShapeException">The document as a whole is not this source's shape, is empty, or is too large.</exception>
    NormalizeResult Normalize(JsonElement root, DateTimeOffset receivedAt);
}
