using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Analysis.Tests.Entities.TestData;
using MarketPulse.Analysis.Tests.Sentiment;
using MarketPulse.Testing;

namespace MarketPulse.Analysis.Tests.Entities;

/// <summary>The shipped entity sentiment model as the analyser uses it: labels a user would check, no pinned scores.</summary>
[Collection(EmbedderCollection.Name)]
public sealed class EntitySentimentModelTests(ReferenceListsFixture lists, EmbedderFixture embedder) : IClassFixture<ReferenceListsFixture>
{
    private static readonly EntitySentimentModel Model = EntitySentimentModel.Shared ?? throw new InvalidOperationException("the entity sentiment model is not built in");

    [Fact]
    public async Task A_single_entity_headline_gives_its_entity_the_headlines_label()
    {
        var analyzer = new EmbeddedAnalyzer(embedder.Embedder, SentimentModel.LoadEmbedded(), new EntityExtractor(lists.Catalog, EntityTagger.LoadEmbedded()));

        var results = await analyzer.AnalyzeAsync(
            [new AnalysisRequest("Infosys shares surge after profit beats estimates"), new AnalysisRequest("Tata Motors shares plunge 8% on weak sales")],
            CancellationToken.None);

        Assert.All(results, r => Assert.Equal(r.Label, Assert.Single(r.Entities).Sentiment));
    }

    [Fact]
    public void The_built_in_model_is_loaded_once_and_answers_the_same_every_time()
    {
        var headline = new SentimentPrediction(SentimentLabel.Bearish, -0.6, 0.7);
        const string Text = "Sensex falls 300 points; IT stocks gain";

        var first = Model.Predict(Text, 0, 6, headline, [25]);
        var second = EntitySentimentModel.Shared!.Predict(Text, 0, 6, headline, [25]);

        Assert.Same(Model, EntitySentimentModel.Shared);
        Assert.Equal(first, second);
        Assert.InRange(first.Confidence, 1.0 / 3, 1);
        Assert.InRange(first.Score, -1, 1);
    }

    [Fact]
    public void A_saved_model_loads_back_with_the_same_predictions()
    {
        using var stream = new MemoryStream();
        Model.Save(stream);
        stream.Position = 0;

        var loaded = EntitySentimentModel.Load(stream);

        var headline = new SentimentPrediction(SentimentLabel.Bullish, 0.5, 0.6);
        Assert.Equal(
            Model.Predict("Infosys gains while Wipro slips", 0, 7, headline, [20]),
            loaded.Predict("Infosys gains while Wipro slips", 0, 7, headline, [20]));
    }
}
