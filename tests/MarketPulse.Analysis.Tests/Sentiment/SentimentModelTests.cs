using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Testing;

namespace MarketPulse.Analysis.Tests.Sentiment;

[Collection(EmbedderCollection.Name)]
public sealed class SentimentModelTests(EmbedderFixture fixture)
{
    private static readonly Lazy<SentimentModel> Shipped = new(SentimentModel.LoadEmbedded);

    [Theory]
    [InlineData("Infosys shares surge 8% after quarterly profit beats estimates and it raises revenue guidance", SentimentLabel.Bullish)]
    [InlineData("Nvidia stock jumps to a record high as analysts upgrade it to Buy", SentimentLabel.Bullish)]
    [InlineData("Tata Motors shares plunge as quarterly loss widens and brokerages downgrade the stock", SentimentLabel.Bearish)]
    [InlineData("Boeing cuts delivery forecast and shares slide after the company misses earnings estimates", SentimentLabel.Bearish)]
    [InlineData("Reliance Industries will hold its annual general meeting on August 29", SentimentLabel.Neutral)]
    [InlineData("Microsoft to report fourth-quarter results on Tuesday after the market close", SentimentLabel.Neutral)]
    public void Shipped_model_labels_clear_headlines(string headline, SentimentLabel expected)
    {
        var prediction = Predict(Shipped.Value, headline);

        Assert.Equal(expected, prediction.Label);
    }

    [Fact]
    public void Score_sign_follows_the_label_and_confidence_is_a_probability()
    {
        string[] texts =
        [
            "HDFC Bank shares rally after strong loan growth and record quarterly profit",
            "Adani Enterprises shares crash after fraud allegations and a failed share sale",
            "SEBI publishes the agenda of its next board meeting",
        ];

        var predictions = Shipped.Value.Predict(texts, fixture.Embedder.Embed(texts));

        Assert.All(predictions, p => Assert.InRange(p.Confidence, 0.0, 1.0));
        Assert.All(predictions, p => Assert.InRange(p.Score, -1.0, 1.0));
        Assert.True(predictions[0].Score > 0, $"bullish text scored {predictions[0].Score}");
        Assert.True(predictions[1].Score < 0, $"bearish text scored {predictions[1].Score}");
        Assert.All(predictions.Where(p => p.Label == SentimentLabel.Bullish), p => Assert.True(p.Score > 0));
        Assert.All(predictions.Where(p => p.Label == SentimentLabel.Bearish), p => Assert.True(p.Score < 0));
    }

    [Fact]
    public void Shipped_model_names_its_embedding_model_and_version()
    {
        Assert.Equal(MiniLmEmbedder.Model + "/int8", Shipped.Value.EmbeddingModel);
        Assert.Matches("^[0-9a-f]{12}$", Shipped.Value.Version);
    }

    [Fact]
    public void Saved_and_loaded_model_gives_identical_bytes_and_predictions()
    {
        string[] texts = ["Wipro shares fall 3% after weak guidance", "Gold steady ahead of Fed minutes", "Zomato jumps on strong order growth"];
        var embeddings = fixture.Embedder.Embed(texts);
        using var first = new MemoryStream();
        Shipped.Value.Save(first);
        first.Position = 0;

        var loaded = SentimentModel.Load(first);
        using var second = new MemoryStream();
        loaded.Save(second);

        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.Equal(Shipped.Value.Version, loaded.Version);
        Assert.Equal(Shipped.Value.Predict(texts, embeddings), loaded.Predict(texts, embeddings));
    }

    [Fact]
    public void Stream_that_is_not_a_model_is_rejected()
    {
        using var stream = new MemoryStream("text,label\n"u8.ToArray());

        Assert.Throws<InvalidDataException>(() => SentimentModel.Load(stream));
    }

    [Fact]
    public void Embeddings_of_the_wrong_size_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Shipped.Value.Predict(["Sensex closes flat"], [new float[12]]));
    }

    private SentimentPrediction Predict(SentimentModel model, string text) =>
        model.Predict([text], fixture.Embedder.Embed([text]))[0];
}
