using System.Text.Json;
using System.Text.Json.Serialization;

namespace MarketPulse.Messaging.Contracts;

/// <summary>
/// The one JSON shape of every message, stored result and API answer: camelCase names, nulls left out, and
/// enums as lower-case strings (<c>"bullish"</c>, <c>"equity"</c>), whatever converter the enum type declares.
/// </summary>
public static class MessageJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>An enum value as it appears on the wire: <c>Bullish</c> is <c>bullish</c>, <c>MarketData</c> is <c>market_data</c>.</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static JsonSerializerOptions Create()
    {
        // Converters in the options take precedence over [JsonConverter] on the enum types.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
