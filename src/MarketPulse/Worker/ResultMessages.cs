using MarketPulse.Analysis;
using MarketPulse.Messaging.Contracts;

namespace MarketPulse.Worker;

/// <summary>The worker's outcomes in the contract shape of aggregation_topic and the stored result (lower-case names).</summary>
public static class ResultMessages
{
    public static ResultMessage Of(ItemAnalysis a) => new(
        "analysis", a.Item.Id, a.Item.Source, a.Item.ExternalId, AnalyticsStore.LabelName(a.Result.Label), a.Result.Score, a.Result.Confidence,
        AnalyticsStore.AssetClassName(a.Result.AssetClass), a.Symbols, EntitiesOf(a.Result), a.Result.Version, null, null, a.Item.PublishedAt, a.Item.ReceivedAt, a.LatencyMs);

    public static ResultMessage Of(ItemDuplicate d) => new(
        "duplicate", d.Item.Id, d.Item.Source, d.Item.ExternalId, null, null, null, null, d.Item.Symbols, null, null, d.OriginalId, d.Similarity, d.Item.PublishedAt, d.Item.ReceivedAt, null);

    /// <summary>The result's entities, each with its own sentiment where the analyser gave one.</summary>
    public static IReadOnlyList<ResultEntity> EntitiesOf(AnalysisResult result) =>
        result.Entities.Select(e => new ResultEntity(MessageJson.Name(e.Type), e.Text, e.Symbol, e.Exchange, e.Sentiment is { } s ? MessageJson.Name(s) : null, e.Score, e.Confidence, e.Unlisted)).ToList();
}
