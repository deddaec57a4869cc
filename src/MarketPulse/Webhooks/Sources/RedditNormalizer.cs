using System.Text.Json;

namespace MarketPulse.Webhooks.Sources;

/// <summary>
/// Reddit JSON API things: a t3 submission or t1 comment ({"kind","data"}), a Listing of them, or the
/// array of two Listings a post's .json URL returns (post, then comments with nested replies, flattened).
/// </summary>
public sealed class RedditNormalizer : ISourceNormalizer
{
    public string Source => "reddit";

    private const string RemovedMarker = "[removed]";
    private const string DeletedMarker = "[deleted]";

    public NormalizeResult Normalize(JsonElement root, DateTimeOffset receivedAt)
    {
        var entries = new List<BatchEntry>();
        string batchField;
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                batchField = "root";
                var i = 0;
                foreach (var listing in root.EnumerateArray())
                {
                    var path = Batch.At(string.Empty, i++);
                    if (KindOf(listing) != "Listing")
                    {
                        throw new PayloadShapeException(path, $"'{path}' must be a Listing ({{\"kind\":\"Listing\",\"data\":{{\"children\":[...]}}}}), as a post's .json URL returns.");
                    }

                    Flatten(listing, path, entries);
                }

                break;
            case JsonValueKind.Object when KindOf(root) == "Listing":
                batchField = "data.children";
                Flatten(root, string.Empty, entries);
                break;
            case JsonValueKind.Object when KindOf(root) is "t3" or "t1":
                batchField = "root";
                entries.Add(new BatchEntry(root, string.Empty));
                break;
            default:
                throw new PayloadShapeException("kind",
                    "Not a Reddit payload: expected a thing with \"kind\" t3 or t1, a Listing, or an array of Listings.");
        }

        return Batch.Run(entries, batchField, receivedAt, Map);
    }

    private static string? KindOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && JsonValues.TryGetExact(e, "kind", out var k) && k.ValueKind == JsonValueKind.String ? JsonValues.String(k) : null;

    /// <summary>Adds the t3/t1 children of a Listing, depth first, with their nested replies.</summary>
    private static void Flatten(JsonElement listing, string path, List<BatchEntry> entries)
    {
        var prefix = path.Length == 0 ? "data.children" : path + ".data.children";
        if (!JsonValues.TryGetExact(listing, "data", out var data) || data.ValueKind != JsonValueKind.Object
            || !JsonValues.TryGetExact(data, "children", out var children) || children.ValueKind != JsonValueKind.Array)
        {
            throw new PayloadShapeException(prefix, $"'{prefix}' must be an array: a Listing carries its things in data.children.");
        }

        var i = 0;
        foreach (var child in children.EnumerateArray())
        {
            var childPath = Batch.At(prefix, i++);
            // "more" stubs only list ids of comments not loaded; they carry nothing to analyse.
            if (KindOf(child) == "more")
            {
                continue;
            }

            entries.Add(new BatchEntry(child, childPath));
            if (entries.Count > Limits.MaxBatchItems)
            {
                return;
            }

            if (child.ValueKind == JsonValueKind.Object && JsonValues.TryGetExact(child, "data", out var childData)
                && childData.ValueKind == JsonValueKind.Object && JsonValues.TryGetExact(childData, "replies", out var replies)
                && KindOf(replies) == "Listing")
            {
                Flatten(replies, childPath + ".data.replies", entries);
            }
        }
    }

    // https://www.reddit.com/dev/api : things are {"kind","data"}; fullname = kind + "_" + id.
    private CanonicalItem? Map(ItemReader thing)
    {
        var kind = thing.RawString("kind", required: true);
        if (kind is not null and not "t3" and not "t1")
        {
            thing.Error(thing.FieldPath("kind"), "type", $"'{thing.FieldPath("kind")}' is '{ItemReader.Shorten(kind)}'; only t3 (submission) and t1 (comment) are accepted.");
            return null;
        }

        var r = thing.Object("data");
        if (r is null)
        {
            if (!thing.HasErrors)
            {
                thing.Error(thing.FieldPath("data"), "required", $"'{thing.FieldPath("data")}' is required: the thing's fields.");
            }

            return null;
        }

        var name = r.Id("name");
        var id = r.Id("id");
        if (name is null && id is null && !r.HasErrors)
        {
            r.Error(r.FieldPath("name"), "required", $"'{r.FieldPath("name")}' (or 'id') is required.");
        }

        var externalId = name ?? (id is null ? null : $"{kind}_{id}");
        var published = r.Time("created_utc", required: true, TimeSpan.Zero);
        var permalink = r.RawString("permalink");
        string? url = null;
        if (permalink is not null)
        {
            url = r.Url(permalink.StartsWith('/') ? "https://www.reddit.com" + permalink : permalink, r.FieldPath("permalink"));
        }

        var author = r.RawString("author");
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        r.Metric(metrics, "score", "score");
        r.Metric(metrics, "ups", "ups");
        r.Metric(metrics, "num_comments", "num_comments");
        r.Metric(metrics, "upvote_ratio", "upvote_ratio");

        string? title;
        string? text;
        string? body;
        var removedByCategory = r.RawString("removed_by_category");
        if (kind == "t3")
        {
            title = r.Text("title", Limits.MaxTitleLength, required: true);
            var selftext = r.RawString("selftext");
            body = Flag(metrics, selftext, removedByCategory) ? null : r.Text("selftext", Limits.MaxTextLength);
            text = Batch.JoinTitleAndBody(title, body);
        }
        else
        {
            title = r.Text("link_title", Limits.MaxTitleLength);
            var rawBody = r.RawString("body");
            body = Flag(metrics, rawBody, removedByCategory) ? null : r.Text("body", Limits.MaxTextLength, required: true);
            text = body;
        }

        if (text is not null && text.Length > Limits.MaxTextLength)
        {
            r.Error(r.FieldPath(kind == "t3" ? "selftext" : "body"), "max_length", $"The text to analyse is {text.Length} characters; at most {Limits.MaxTextLength} are accepted.");
        }

        if (r.HasErrors || thing.HasErrors)
        {
            return null;
        }

        return new CanonicalItem(Source, externalId!, ItemKind.Text, text, title,
            author is DeletedMarker ? null : author, url, null, published, [], metrics, thing.Element.GetRawText());
    }

    /// <summary>
    /// Marks removed or deleted content: the item is kept (its score, title and existence still matter),
    /// Metrics gets "removed" or "deleted" = 1, and the placeholder body is not analysed.
    /// </summary>
    private static bool Flag(Dictionary<string, double> metrics, string? body, string? removedByCategory)
    {
        var trimmed = body?.Trim();
        if (trimmed == DeletedMarker || removedByCategory is "deleted" or "author")
        {
            metrics["deleted"] = 1;
            return true;
        }

        if (trimmed == RemovedMarker || removedByCategory is not null)
        {
            metrics["removed"] = 1;
            return true;
        }

        return false;
    }
}
