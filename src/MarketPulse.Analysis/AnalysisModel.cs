using System.Text.Json.Serialization;

namespace MarketPulse.Analysis;

/// <summary>Market direction a text expresses. Numeric values follow the TFNS labels (0 bearish, 1 bullish, 2 neutral).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SentimentLabel>))]
public enum SentimentLabel
{
    Bearish = 0,
    Bullish = 1,
    Neutral = 2,
}

/// <summary>The asset class an item is about.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AssetClass>))]
public enum AssetClass
{
    Equity,
    Index,
    Commodity,
    Currency,
    Crypto,
    Rates,
    Macro,
}

/// <summary>Kinds of named entity the analysers report.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EntityType>))]
public enum EntityType
{
    Company,
    Ticker,
    Index,
    Person,
    Country,
    Currency,
    Commodity,
    Crypto,
    Regulator,
    Exchange,
    Sector,
    Rates,
    Market,
    Other,
}

/// <summary>A named entity found in a text, with its own sentiment where the analyser gives one.</summary>
/// <param name="Type">What kind of entity it is.</param>
/// <param name="Text">The span as written in the text.</param>
/// <param name="Symbol">Canonical symbol (e.g. <c>RELIANCE</c>, <c>NIFTY 50</c>, <c>USD/INR</c>), when known.</param>
/// <param name="Exchange">Exchange code (e.g. <c>NSE</c>, <c>BSE</c>, <c>NASDAQ</c>, <c>NYSE</c>), when known.</param>
/// <param name="Sentiment">Entity-level sentiment, when the text supports one.</param>
public sealed record Entity(
    EntityType Type,
    string Text,
    string? Symbol = null,
    string? Exchange = null,
    SentimentLabel? Sentiment = null)
{
    /// <summary>Entity-level score in [-1, 1] (bearish to bullish), when <see cref="Sentiment"/> is set.</summary>
    public double? Score { get; init; }

    /// <summary>Confidence of <see cref="Sentiment"/> in [0, 1], when it is set.</summary>
    public double? Confidence { get; init; }

    /// <summary>A company the recogniser found that no listing matched (or matched ambiguously): "unlisted" rather than a guess.</summary>
    public bool Unlisted { get; init; }
}

/// <summary>Sentiment of one text: label, score in [-1, 1] (bearish to bullish) and calibrated confidence in [0, 1].</summary>
public sealed record SentimentPrediction(SentimentLabel Label, double Score, double Confidence);

/// <summary>
/// One text to analyse. <paramref name="Source"/> is a hint such as <c>news</c>, <c>twitter</c>, <c>economic</c>.
/// <paramref name="Embedding"/> is the text's MiniLM embedding when the caller already has it (the worker computes
/// it for near-duplicate detection); analysers that use the same model skip embedding it again. <paramref name="Tokens"/>
/// is that pass's word pieces and output, which the entity tagger reads; with an embedding but without them, the
/// tagger scores from its hashed features alone.
/// </summary>
public sealed record AnalysisRequest(string Text, string? Source = null, float[]? Embedding = null, Embeddings.TokenStates? Tokens = null);

/// <summary>The full judgement on one text.</summary>
public sealed record AnalysisResult(
    SentimentLabel Label,
    double Score,
    double Confidence,
    AssetClass AssetClass,
    IReadOnlyList<Entity> Entities,
    string Analyzer,
    string Model,
    string PromptVersion)
{
    /// <summary>The analysis version stored with the result: analyser, model and prompt.</summary>
    public string Version => $"{Analyzer}/{Model}/{PromptVersion}";
}

/// <summary>An analyser turns texts into results; implementations are chosen by configuration.</summary>
public interface ITextAnalyzer
{
    /// <summary>Short name stored with every result (e.g. <c>embedded</c>, <c>ollama</c>).</summary>
    string Name { get; }

    /// <summary>Analyses a batch; the result list is in the order of the requests.</summary>
    Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken);
}
