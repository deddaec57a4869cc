namespace MarketPulse.Messaging.Contracts;

/// <summary>
/// A named entity of an analysis result, as stored and published: <paramref name="Type"/> (<c>company</c>, <c>ticker</c>,
/// <c>index</c>, ...) and <paramref name="Sentiment"/> (<c>bullish</c>, <c>bearish</c>, <c>neutral</c>, when the text gives
/// the entity one of its own) in lower case, with its own <paramref name="Score"/> in [-1, 1] and <paramref name="Confidence"/>;
/// <paramref name="Unlisted"/> is true for a company that no listing matched (symbol and exchange then null).
/// </summary>
public sealed record ResultEntity(string Type, string Text, string? Symbol = null, string? Exchange = null, string? Sentiment = null,
    double? Score = null, double? Confidence = null, bool Unlisted = false);
