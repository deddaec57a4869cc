using MarketPulse.Analysis;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Testing;

namespace MarketPulse.Tools.Tests.Training;

/// <summary>What a user sees from the model the service ships, on the int8 vectors it runs with.</summary>
[Collection(EmbedderCollection.Name)]
public sealed class ShippedModelTests(EmbedderFixture fixture)
{
    [Theory]
    [InlineData("Sensex tanks 800 points as FIIs sell", SentimentLabel.Bearish)]
    [InlineData("Infosys beats estimates, raises guidance", SentimentLabel.Bullish)]
    [InlineData("RBI keeps repo rate unchanged", SentimentLabel.Neutral)]
    public void Indian_market_headlines_get_the_label_a_trader_would_give(string headline, SentimentLabel expected)
    {
        var prediction = SentimentModel.LoadEmbedded().Predict([headline], fixture.Embedder)[0];

        Assert.Equal(expected, prediction.Label);
    }
}
