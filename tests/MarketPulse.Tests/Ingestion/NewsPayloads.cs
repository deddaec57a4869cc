using System.Text.Json.Nodes;

namespace MarketPulse.Tests.Ingestion;

/// <summary>News items in MarketPulse's generic form, with ids unique to the test run.</summary>
internal static class NewsPayloads
{
    public static string NewId() => "mpt-" + Guid.NewGuid().ToString("N");

    public static JsonObject Item(string? id = null, string? title = null, string? summary = null) => new()
    {
        ["id"] = id ?? NewId(),
        ["title"] = title ?? "Infosys wins a five-year deal with a European bank",
        ["summary"] = summary ?? "The contract is worth about $1.2 billion, the company said in a filing.",
        ["url"] = $"https://example.com/markets/{Guid.NewGuid():N}",
        ["published_at"] = "2024-06-10T09:30:00Z",
        ["source"] = "MarketPulse Wire",
        ["tickers"] = new JsonArray("INFY"),
    };

    public static string Single(JsonObject item) => item.ToJsonString();

    public static string Batch(params JsonObject[] items) =>
        new JsonObject { ["items"] = new JsonArray([.. items.Select(i => i.DeepClone())]) }.ToJsonString();

    public static string Id(JsonObject item) => item["id"]!.GetValue<string>();
}
