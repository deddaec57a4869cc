using System.Text.Json;

namespace MarketPulse.Webhooks.Sources;

/// <summary>
/// X API v2 tweet lookups and searches: {"data": tweet | [tweets], "includes": {"users": [...]}}.
/// </summary>
public sealed class TwitterNormalizer : ISourceNormalizer
{
    public string Source => "twitter";

    private static readonly string[] PublicMetrics =
        ["retweet_count", "reply_count", "like_count", "quote_count", "impression_count", "bookmark_count"];

    public NormalizeResult Normalize(JsonElement root, DateTimeOffset receivedAt)
    {
        if (root.ValueKind != JsonValueKind.Object || !JsonValues.TryGetExact(root, "data", out var data))
        {
            var why = root.ValueKind == JsonValueKind.Object && JsonValues.Has(root, "errors")
                ? "This is an X API error response ('errors' without 'data')."
                : "Not an X API v2 payload: expected an object with 'data' (one tweet or an array of tweets).";
            throw new PayloadShapeException("data", why);
        }

        var users = Users(root);
        List<BatchEntry> entries = data.ValueKind switch
        {
            JsonValueKind.Array => Batch.Elements(data, "data"),
            JsonValueKind.Object => [new BatchEntry(data, "data")],
            _ => throw new PayloadShapeException("data", "'data' must be a tweet object or an array of tweets."),
        };
        return Batch.Run(entries, "data", receivedAt, r => Map(r, users));
    }

    private static Dictionary<string, (string? Username, string? Name)> Users(JsonElement root)
    {
        var users = new Dictionary<string, (string?, string?)>(StringComparer.Ordinal);
        if (JsonValues.TryGetExact(root, "includes", out var includes) && includes.ValueKind == JsonValueKind.Object
            && JsonValues.TryGetExact(includes, "users", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var user in list.EnumerateArray())
            {
                if (JsonValues.StringProperty(user, "id") is { } id)
                {
                    users[id] = (JsonValues.StringProperty(user, "username"), JsonValues.StringProperty(user, "name"));
                }
            }
        }

        return users;
    }

    // https://docs.x.com/x-api/fundamentals/data-dictionary : id, text, author_id, created_at, lang,
    // entities{cashtags,hashtags,mentions,urls}, public_metrics, referenced_tweets[{type,id}], note_tweet{text}.
    private CanonicalItem? Map(ItemReader r, Dictionary<string, (string? Username, string? Name)> users)
    {
        var id = r.Id("id", required: true);
        if (id is not null && !id.All(char.IsAsciiDigit))
        {
            r.Error(r.FieldPath("id"), "format", $"'{r.FieldPath("id")}' must be a numeric tweet id (as a string); got '{ItemReader.Shorten(id)}'.");
        }

        // A long post's full text is in note_tweet.text; "text" then holds only the first 280 characters.
        var note = r.Object("note_tweet");
        var rawText = note?.RawString("text") ?? r.RawString("text", required: true);
        var entities = r.Object("entities");
        var symbols = new List<string?>();
        if (entities is not null)
        {
            rawText = ExpandUrls(entities, rawText);
            foreach (var tag in Array(entities, "cashtags"))
            {
                symbols.Add(JsonValues.StringProperty(tag, "tag"));
            }
        }

        var text = TextSanitizer.Clean(rawText);
        if (text is null && !r.HasErrors)
        {
            r.Error(r.FieldPath("text"), "required", $"'{r.FieldPath("text")}' is required and must contain text.");
        }

        text = text is null ? null : r.WithinLength(text, r.FieldPath("text"), Limits.MaxTextLength, "tweet text");
        var authorId = r.Id("author_id");
        var published = r.Time("created_at", required: false, TimeSpan.Zero);
        var language = r.Id("lang");
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (r.Object("public_metrics") is { } pm)
        {
            foreach (var name in PublicMetrics)
            {
                pm.Metric(metrics, name, name);
            }
        }

        if (r.Get("referenced_tweets") is { ValueKind: JsonValueKind.Array } referenced)
        {
            foreach (var reference in referenced.EnumerateArray())
            {
                // retweeted/quoted/replied_to become flags; the "RT @x: ..." text stays so dedup sees retweets.
                switch (JsonValues.StringProperty(reference, "type"))
                {
                    case "retweeted":
                        metrics["is_retweet"] = 1;
                        break;
                    case "quoted":
                        metrics["is_quote"] = 1;
                        break;
                    case "replied_to":
                        metrics["is_reply"] = 1;
                        break;
                }
            }
        }

        if (r.HasErrors)
        {
            return null;
        }

        string? username = null;
        if (authorId is not null && users.TryGetValue(authorId, out var user))
        {
            username = user.Username;
        }

        var url = username is not null && Uri.IsWellFormedUriString(username, UriKind.Relative) && username.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"https://x.com/{username}/status/{id}"
            : null;
        return new CanonicalItem(Source, id!, ItemKind.Text, text, null, username ?? authorId, url, language, published,
            Batch.Symbols(symbols), metrics, r.Element.GetRawText());
    }

    private static IEnumerable<JsonElement> Array(ItemReader entities, string name) =>
        entities.Get(name) is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>Replaces t.co links with their expanded_url so the analysed text names the real site.</summary>
    private static string? ExpandUrls(ItemReader entities, string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var url in Array(entities, "urls"))
        {
            var shortUrl = JsonValues.StringProperty(url, "url");
            var expanded = JsonValues.StringProperty(url, "expanded_url");
            if (!string.IsNullOrEmpty(shortUrl) && !string.IsNullOrEmpty(expanded))
            {
                text = text.Replace(shortUrl, expanded, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
