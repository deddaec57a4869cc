using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace MarketPulse.Analysis.Ollama;

/// <summary>The model's answer after strict checking, before it is stamped with analyser, model and prompt version.</summary>
internal sealed record ParsedAnswer(
    SentimentLabel Label,
    double Score,
    double Confidence,
    AssetClass AssetClass,
    IReadOnlyList<Entity> Entities);

/// <summary>
/// Checks an answer against the v1 schema by hand: the schema only steers generation, and a model (or a proxy
/// in front of it) may still return anything. Labels must match the fixed sets exactly, numbers must be in range,
/// every field must be present and no other field may be.
/// </summary>
internal static class AnalysisAnswerParser
{
    private const int MaxEntities = 20;
    private const int MaxEntityTextChars = 200;
    private const int MaxSymbolChars = 32;
    private const int MaxExchangeChars = 16;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
        MaxDepth = 8,
    };

    private static readonly string[] TopLevelFields = ["label", "score", "confidence", "asset_class", "entities"];
    private static readonly string[] EntityFields = ["type", "text", "symbol", "exchange", "sentiment"];

    /// <summary>The part of a rejection reason that names the field: our own wording, safe to send back to the model.</summary>
    public static string FieldOf(string reason)
    {
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? reason[..colon] : "answer";
    }

    /// <summary>Reasons read "field: detail"; the detail may quote the model's text.</summary>
    public static bool TryParse(string? content, [NotNullWhen(true)] out ParsedAnswer? answer, [NotNullWhen(false)] out string? reason)
    {
        answer = null;
        if (string.IsNullOrWhiteSpace(content))
        {
            reason = "answer: is empty";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, DocumentOptions);
        }
        catch (JsonException ex)
        {
            reason = $"answer: is not one valid JSON object ({ex.Message})";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = $"answer: is a JSON {root.ValueKind}, not an object";
                return false;
            }

            if (!HasExactFields(root, TopLevelFields, "answer", out reason)
                || !TryLabel(root.GetProperty("label"), "label", out var label, out reason)
                || !TryNumber(root.GetProperty("score"), "score", -1, 1, out var score, out reason)
                || !TryNumber(root.GetProperty("confidence"), "confidence", 0, 1, out var confidence, out reason)
                || !TryEnum<AssetClass>(root.GetProperty("asset_class"), "asset_class", out var assetClass, out reason)
                || !TryEntities(root.GetProperty("entities"), out var entities, out reason))
            {
                return false;
            }

            if ((label == SentimentLabel.Bullish && score < 0) || (label == SentimentLabel.Bearish && score > 0))
            {
                reason = FormattableString.Invariant($"score: {score} contradicts label {label}");
                return false;
            }

            answer = new ParsedAnswer(label, score, confidence, assetClass, entities);
            return true;
        }
    }

    private static bool HasExactFields(JsonElement element, string[] expected, string what, [NotNullWhen(false)] out string? reason)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(expected, property.Name) < 0)
            {
                reason = $"{what}: has an unexpected field '{Excerpt(property.Name)}'";
                return false;
            }
        }

        foreach (var name in expected)
        {
            if (!element.TryGetProperty(name, out _))
            {
                reason = $"{what}: lacks the required field '{name}'";
                return false;
            }
        }

        reason = null;
        return true;
    }

    private static bool TryLabel(JsonElement element, string field, out SentimentLabel label, [NotNullWhen(false)] out string? reason) =>
        TryEnum(element, field, out label, out reason);

    // Enum.TryParse would also accept numbers, other casing and comma lists; only the exact names are valid here.
    private static bool TryEnum<T>(JsonElement element, string field, out T value, [NotNullWhen(false)] out string? reason)
        where T : struct, Enum
    {
        value = default;
        if (element.ValueKind != JsonValueKind.String)
        {
            reason = $"{field}: is a JSON {element.ValueKind}, not a string";
            return false;
        }

        var text = element.GetString();
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.Ordinal))
            {
                value = candidate;
                reason = null;
                return true;
            }
        }

        reason = $"{field}: '{Excerpt(text)}' is not one of {string.Join(", ", Enum.GetNames<T>())}";
        return false;
    }

    private static bool TryNumber(JsonElement element, string field, double min, double max, out double value, [NotNullWhen(false)] out string? reason)
    {
        value = 0;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out value) || !double.IsFinite(value))
        {
            reason = $"{field}: is not a finite JSON number";
            return false;
        }

        if (value < min || value > max)
        {
            reason = FormattableString.Invariant($"{field}: {value} is outside [{min}, {max}]");
            return false;
        }

        reason = null;
        return true;
    }

    private static bool TryEntities(JsonElement element, out IReadOnlyList<Entity> entities, [NotNullWhen(false)] out string? reason)
    {
        entities = [];
        if (element.ValueKind != JsonValueKind.Array)
        {
            reason = $"entities: is a JSON {element.ValueKind}, not an array";
            return false;
        }

        if (element.GetArrayLength() > MaxEntities)
        {
            reason = $"entities: has more than {MaxEntities} items";
            return false;
        }

        var list = new List<Entity>();
        foreach (var item in element.EnumerateArray())
        {
            var what = $"entities[{list.Count}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                reason = $"{what}: is a JSON {item.ValueKind}, not an object";
                return false;
            }

            if (!HasExactFields(item, EntityFields, what, out reason)
                || !TryEnum<EntityType>(item.GetProperty("type"), what + ".type", out var type, out reason)
                || !TryText(item.GetProperty("text"), what + ".text", MaxEntityTextChars, nullable: false, out var text, out reason)
                || !TryText(item.GetProperty("symbol"), what + ".symbol", MaxSymbolChars, nullable: true, out var symbol, out reason)
                || !TryText(item.GetProperty("exchange"), what + ".exchange", MaxExchangeChars, nullable: true, out var exchange, out reason))
            {
                return false;
            }

            SentimentLabel? sentiment = null;
            var sentimentElement = item.GetProperty("sentiment");
            if (sentimentElement.ValueKind != JsonValueKind.Null)
            {
                if (!TryLabel(sentimentElement, what + ".sentiment", out var entitySentiment, out reason))
                {
                    return false;
                }

                sentiment = entitySentiment;
            }

            list.Add(new Entity(type, text!, symbol, exchange, sentiment));
        }

        entities = list;
        reason = null;
        return true;
    }

    private static bool TryText(JsonElement element, string field, int maxChars, bool nullable, out string? value, [NotNullWhen(false)] out string? reason)
    {
        value = null;
        reason = null;
        if (element.ValueKind == JsonValueKind.Null && nullable)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            reason = $"{field}: is a JSON {element.ValueKind}, not a string";
            return false;
        }

        var text = element.GetString()!.Trim();
        if (text.Length == 0)
        {
            if (nullable)
            {
                return true;
            }

            reason = $"{field}: is empty";
            return false;
        }

        if (text.Length > maxChars)
        {
            reason = $"{field}: is longer than {maxChars} characters";
            return false;
        }

        value = text;
        return true;
    }

    private static string Excerpt(string? text) =>
        text is null ? "null" : text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}
