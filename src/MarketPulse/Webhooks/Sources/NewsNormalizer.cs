using System.Text.Json;
using System.Text.RegularExpressions;

namespace MarketPulse.Webhooks.Sources;

/// <summary>
/// News articles: NewsAPI responses and single articles, Finnhub company news (one or an array),
/// Marketaux news responses and single articles, and the generic form (one item or {"items":[...]}).
/// </summary>
public sealed partial class NewsNormalizer : ISourceNormalizer
{
    public string Source => "news";

    private enum Format
    {
        NewsApi,
        Finnhub,
        Marketaux,
        Generic,
    }

    public NormalizeResult Normalize(JsonElement root, DateTimeOffset receivedAt)
    {
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                return Batch.Run(Batch.Elements(root, string.Empty), "root", receivedAt, r => Map(r, Detect(r.Element)));
            case JsonValueKind.Object:
                break;
            default:
                throw new PayloadShapeException("root", "A news payload must be a JSON object or an array of articles.");
        }

        if (JsonValues.TryGetProperty(root, "status", out var status) && status.ValueKind == JsonValueKind.String
            && string.Equals(JsonValues.String(status), "error", StringComparison.OrdinalIgnoreCase))
        {
            var message = JsonValues.TryGetProperty(root, "message", out var m) ? m.GetRawText() : "no message";
            throw new PayloadShapeException("status", $"This is a NewsAPI error response ({ItemReader.Shorten(message)}), not articles.");
        }

        if (BatchArray(root, "articles") is { } articles)
        {
            return Batch.Run(Batch.Elements(articles, "articles"), "articles", receivedAt, r => Map(r, Format.NewsApi));
        }

        if (BatchArray(root, "data") is { } data)
        {
            return Batch.Run(Batch.Elements(data, "data"), "data", receivedAt, r => Map(r, Format.Marketaux));
        }

        if (BatchArray(root, "items") is { } items)
        {
            return Batch.Run(Batch.Elements(items, "items"), "items", receivedAt, r => Map(r, Detect(r.Element)));
        }

        if (!LooksLikeArticle(root))
        {
            throw new PayloadShapeException("root",
                "Not a news payload: expected a NewsAPI response ('articles'), a Marketaux response ('data'), {\"items\":[...]}, an array of articles, or one article with 'title' or 'headline'.");
        }

        return Batch.Run([new BatchEntry(root, string.Empty)], "root", receivedAt, r => Map(r, Detect(root)));
    }

    private static JsonElement? BatchArray(JsonElement root, string name)
    {
        if (!JsonValues.TryGetExact(root, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array
            ? value
            : throw new PayloadShapeException(name, $"'{name}' must be an array of articles.");
    }

    private static bool LooksLikeArticle(JsonElement e) =>
        JsonValues.Has(e, "title") || JsonValues.Has(e, "headline");

    private static Format Detect(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return Format.Generic;
        }

        if (JsonValues.Has(e, "headline"))
        {
            return Format.Finnhub;
        }

        if (JsonValues.Has(e, "uuid") && JsonValues.Has(e, "published_at"))
        {
            return Format.Marketaux;
        }

        return JsonValues.Has(e, "publishedAt") || (JsonValues.TryGetExact(e, "source", out var s) && s.ValueKind == JsonValueKind.Object)
            ? Format.NewsApi
            : Format.Generic;
    }

    private CanonicalItem? Map(ItemReader r, Format format) => format switch
    {
        Format.NewsApi => MapNewsApi(r),
        Format.Finnhub => MapFinnhub(r),
        Format.Marketaux => MapMarketaux(r),
        _ => MapGeneric(r),
    };

    // https://newsapi.org/docs/endpoints/everything : source{id,name}, author, title, description, url, urlToImage, publishedAt, content.
    private CanonicalItem? MapNewsApi(ItemReader r)
    {
        var title = r.Text("title", Limits.MaxTitleLength, required: true);
        var url = r.Url("url");
        // NewsAPI replaces articles it may not show with "[Removed]" and https://removed.com.
        if (title == "[Removed]")
        {
            r.Error(r.FieldPath("title"), "removed", "NewsAPI marks this article as removed; it has no content to analyse. Drop it from the batch.");
            return null;
        }

        var description = r.Text("description", Limits.MaxTextLength);
        var content = CleanContent(r.Text("content", Limits.MaxTextLength));
        var published = r.Time("publishedAt", required: false, TimeSpan.Zero);
        var author = r.Text("author", Limits.MaxShortFieldLength);
        var body = description;
        if (content is not null && (description is null || !Overlaps(description, content)))
        {
            body = description is null ? content : description + "\n\n" + content;
        }

        var text = ComposeText(r, title, body, description is not null ? "description" : "content");
        if (r.HasErrors)
        {
            return null;
        }

        var id = url is not null ? ExternalIds.Hash(Source, url) : ExternalIds.Hash(Source, title, published?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Item(r, id, text, title, author, url, null, published, []);
    }

    // https://finnhub.io/docs/api/company-news : category, datetime (unix s), headline, id, image, related, source, summary, url.
    private CanonicalItem? MapFinnhub(ItemReader r)
    {
        var providerId = r.Id("id");
        var title = r.Text("headline", Limits.MaxTitleLength, required: true);
        var summary = r.Text("summary", Limits.MaxTextLength);
        var url = r.Url("url");
        var published = r.Time("datetime", required: false, TimeSpan.Zero);
        var related = r.RawString("related");
        var text = ComposeText(r, title, summary, "summary");
        if (r.HasErrors)
        {
            return null;
        }

        var id = providerId is not null && providerId != "0" ? "finnhub:" + providerId : ExternalIds.Hash(Source, url ?? title);
        var symbols = Batch.Symbols(related?.Split(',') ?? []);
        return Item(r, id, text, title, null, url, null, published, symbols);
    }

    // https://www.marketaux.com/documentation : data[]{uuid,title,description,snippet,url,language,published_at,source,entities[]{symbol,...}}.
    private CanonicalItem? MapMarketaux(ItemReader r)
    {
        var uuid = r.Id("uuid");
        var title = r.Text("title", Limits.MaxTitleLength, required: true);
        var description = r.Text("description", Limits.MaxTextLength);
        var snippet = r.Text("snippet", Limits.MaxTextLength);
        var url = r.Url("url");
        var language = r.Id("language");
        var published = r.Time("published_at", required: false, TimeSpan.Zero);
        var body = description;
        if (snippet is not null && (description is null || !Overlaps(description, snippet)))
        {
            body = description is null ? snippet : description + "\n\n" + snippet;
        }

        var text = ComposeText(r, title, body, description is not null ? "description" : "snippet");
        var symbols = new List<string?>();
        if (r.Get("entities") is { ValueKind: JsonValueKind.Array } entities)
        {
            foreach (var entity in entities.EnumerateArray())
            {
                if (entity.ValueKind == JsonValueKind.Object && JsonValues.TryGetExact(entity, "symbol", out var symbol) && symbol.ValueKind == JsonValueKind.String)
                {
                    symbols.Add(JsonValues.String(symbol));
                }
            }
        }

        if (r.HasErrors)
        {
            return null;
        }

        var id = uuid is not null ? "marketaux:" + uuid : ExternalIds.Hash(Source, url ?? title);
        return Item(r, id, text, title, null, url, language, published, Batch.Symbols(symbols));
    }

    // MarketPulse's own form: id?, title, summary, url?, published_at?, source?, author?, language?, tickers[]?.
    private CanonicalItem? MapGeneric(ItemReader r)
    {
        var providerId = r.Id("id");
        var title = r.Text("title", Limits.MaxTitleLength, required: true);
        var summary = r.Text("summary", Limits.MaxTextLength);
        var url = r.Url("url");
        var published = r.Time("published_at", required: false, TimeSpan.Zero);
        var author = r.Text("author", Limits.MaxShortFieldLength);
        var language = r.Id("language");
        var text = ComposeText(r, title, summary, "summary");
        var tickers = new List<string?>();
        if (r.Get("tickers") is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                r.Error(r.FieldPath("tickers"), "type", $"'{r.FieldPath("tickers")}' must be an array of strings such as [\"RELIANCE\", \"TCS\"].");
            }
            else
            {
                var i = 0;
                foreach (var ticker in list.EnumerateArray())
                {
                    tickers.Add(r.Id(ticker, r.FieldPath(Batch.At("tickers", i++)), required: true));
                }
            }
        }

        if (r.HasErrors)
        {
            return null;
        }

        var publishedKey = published?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = providerId ?? (url is not null ? ExternalIds.Hash(Source, url) : ExternalIds.Hash(Source, title, publishedKey));
        return Item(r, id, text, title, author, url, language, published, Batch.Symbols(tickers));
    }

    private static string? ComposeText(ItemReader r, string? title, string? body, string bodyField)
    {
        var text = Batch.JoinTitleAndBody(title, body);
        if (text is not null && text.Length > Limits.MaxTextLength)
        {
            r.Error(r.FieldPath(bodyField), "max_length", $"Title and '{r.FieldPath(bodyField)}' together are {text.Length} characters; the text to analyse may have at most {Limits.MaxTextLength}.");
            return null;
        }

        return text;
    }

    private CanonicalItem Item(ItemReader r, string id, string? text, string? title, string? author, string? url, string? language, DateTimeOffset? published, IReadOnlyList<string> symbols) =>
        new(Source, id, ItemKind.Text, text, title, author, url, language, published, symbols,
            new Dictionary<string, double>(), r.Element.GetRawText());

    /// <summary>Removes NewsAPI's truncation marker ("… [+1234 chars]").</summary>
    internal static string? CleanContent(string? content)
    {
        if (content is null)
        {
            return null;
        }

        var cleaned = TruncationMarker().Replace(content, string.Empty).TrimEnd();
        return cleaned.Length == 0 ? null : cleaned;
    }

    private static bool Overlaps(string description, string other)
    {
        var probe = other.Length > 60 ? other[..60] : other;
        return description.Contains(probe, StringComparison.OrdinalIgnoreCase) || other.StartsWith(description, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"\s*(…|\.\.\.)?\s*\[\+\d+ chars\]\s*$")]
    private static partial Regex TruncationMarker();
}
