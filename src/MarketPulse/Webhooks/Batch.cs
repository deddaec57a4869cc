using System.Globalization;
using System.Text.Json;

namespace MarketPulse.Webhooks;

/// <summary>One element of a payload to normalise, with where it sits.</summary>
internal readonly record struct BatchEntry(JsonElement Element, string Path);

/// <summary>Runs a per-item mapping over a batch, collecting accepted items and errors.</summary>
internal static class Batch
{
    public static string At(string prefix, int position) =>
        $"{prefix}[{position.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary>The elements of an array, with "prefix[i]" paths.</summary>
    public static List<BatchEntry> Elements(JsonElement array, string prefix)
    {
        var entries = new List<BatchEntry>(array.GetArrayLength());
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            entries.Add(new BatchEntry(element, At(prefix, i++)));
        }

        return entries;
    }

    /// <summary>Throws for an empty batch or one over <see cref="Limits.MaxBatchItems"/>.</summary>
    public static void CheckSize(int count, string field)
    {
        if (count == 0)
        {
            throw new PayloadShapeException(field, "empty_batch", $"'{field}' holds no items; send at least one.");
        }

        if (count > Limits.MaxBatchItems)
        {
            throw new PayloadShapeException(field, "batch_too_large",
                $"'{field}' holds {count} items; at most {Limits.MaxBatchItems} are accepted per request. Split the batch.");
        }
    }

    /// <summary>
    /// Maps every entry; <paramref name="map"/> returns null (after reporting errors on the reader) for a rejected item.
    /// An element that is not an object (when <paramref name="objectsOnly"/>) is a type error.
    /// </summary>
    public static NormalizeResult Run(
        IReadOnlyList<BatchEntry> entries,
        string batchField,
        DateTimeOffset receivedAt,
        Func<ItemReader, CanonicalItem?> map,
        bool objectsOnly = true)
    {
        CheckSize(entries.Count, batchField);
        var items = new List<IndexedItem>(entries.Count);
        var errors = new List<ItemError>();
        for (var index = 0; index < entries.Count; index++)
        {
            var (element, path) = entries[index];
            var reader = new ItemReader(element, index, path, receivedAt, errors);
            if (objectsOnly && element.ValueKind != JsonValueKind.Object)
            {
                reader.Error(path.Length == 0 ? "root" : path, "type", $"'{(path.Length == 0 ? "root" : path)}' must be a JSON object; got {element.ValueKind.ToString().ToLowerInvariant()}.");
                continue;
            }

            var item = map(reader);
            if (item is not null && reader.CheckStorable() && !reader.HasErrors)
            {
                items.Add(new IndexedItem(index, item));
            }
        }

        return new NormalizeResult(items, errors);
    }

    /// <summary>Distinct, upper-cased, trimmed symbols in first-seen order.</summary>
    public static IReadOnlyList<string> Symbols(IEnumerable<string?> symbols)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<string>();
        foreach (var symbol in symbols)
        {
            var s = symbol?.Trim().TrimStart('$').ToUpperInvariant();
            if (!string.IsNullOrEmpty(s) && s.Length <= Limits.MaxShortFieldLength && seen.Add(s))
            {
                list.Add(s);
            }
        }

        return list;
    }

    /// <summary>"title. body" (no extra full stop when the title already ends a sentence).</summary>
    public static string? JoinTitleAndBody(string? title, string? body)
    {
        if (title is null)
        {
            return body;
        }

        if (body is null)
        {
            return title;
        }

        var separator = title.EndsWith('.') || title.EndsWith('!') || title.EndsWith('?') || title.EndsWith(':') ? " " : ". ";
        return title + separator + body;
    }
}
