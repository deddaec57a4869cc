using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Analysis.Tests.Entities.TestData;
using MarketPulse.Analysis.Tests.Sentiment;
using MarketPulse.Testing;

namespace MarketPulse.Analysis.Tests.Entities;

/// <summary>The trained tagger with the catalogue, as the service runs them: what a user sees, not the scores.</summary>
[Collection(EmbedderCollection.Name)]
public sealed class EntityTaggerTests(ReferenceListsFixture lists, EmbedderFixture embedder) : IClassFixture<ReferenceListsFixture>
{
    private static readonly EntityTagger Tagger = EntityTagger.LoadEmbedded() ?? throw new InvalidOperationException("the tagger is not built in");

    // With the encoder's token states of the text, as the service's one pass gives them to the tagger.
    private List<Entity> Entities(string text) =>
        [.. new EntityExtractor(lists.Catalog, Tagger).Extract(text, embedder.Embedder.EmbedWithTokens([text]).Tokens[0]).Select(m => m.Entity)];

    [Theory]
    [InlineData("Sebi bars 12 entities from securities market", "Sebi", EntityType.Regulator)]
    [InlineData("RBI keeps repo rate unchanged", "RBI", EntityType.Regulator)]
    [InlineData("IT stocks gain on weak rupee", "IT stocks", EntityType.Sector)]
    [InlineData("Wall Street ends lower as tech slides", "Wall Street", EntityType.Market)]
    [InlineData("Cardamom futures rise on fresh buying", "Cardamom", EntityType.Commodity)]
    public void Finds_each_kind_with_its_type(string text, string mention, EntityType type)
    {
        var entities = Entities(text);

        Assert.Contains(entities, e => e.Text.StartsWith(mention, StringComparison.OrdinalIgnoreCase) && e.Type == type);
    }

    [Fact]
    public void Finds_a_company_absent_from_its_training_data_and_links_it_to_its_listing()
    {
        var entities = Entities("Shalimar Paints shares surge 10% on fund raising plan");

        Assert.Contains(entities, e => e is { Text: "Shalimar Paints", Type: EntityType.Company, Symbol: "SHALPAINTS" });
    }

    [Fact]
    public void A_possessive_is_not_part_of_the_name()
    {
        var entities = Entities("Sebi's public offer norms bat for retail investors");

        Assert.Contains(entities, e => e is { Text: "Sebi", Type: EntityType.Regulator });
    }

    [Fact]
    public void A_listed_name_ending_in_an_apostrophe_s_keeps_it()
    {
        var entities = Entities("Dr Reddy's Q3 net profit rises 20%");

        Assert.Contains(entities, e => e is { Text: "Dr Reddy's", Symbol: "DRREDDY" });
    }

    [Fact]
    public void Former_name_links_to_todays_symbol()
    {
        var entities = Entities("Mundra Port Q3 net profit up 20%");

        Assert.Contains(entities, e => e is { Text: "Mundra Port", Symbol: "ADANIPORTS", Exchange: "NSE" });
    }

    [Fact]
    public void Unknown_company_is_unlisted_rather_than_guessed()
    {
        var entities = Entities("Karvy Stock Broking shares slump after Sebi order");

        var karvy = Assert.Single(entities, e => e.Text.StartsWith("Karvy", StringComparison.Ordinal));
        Assert.True(karvy.Unlisted);
        Assert.Null(karvy.Symbol);
    }

    [Theory]
    [InlineData("Markets ON edge as results ARE due; ALL eyes on Fed", "ON")]
    [InlineData("Markets ON edge as results ARE due; ALL eyes on Fed", "ARE")]
    [InlineData("Markets ON edge as results ARE due; ALL eyes on Fed", "ALL")]
    [InlineData("Is it time to buy gold now?", "it")]
    public void Ordinary_words_are_not_entities(string text, string word)
    {
        Assert.DoesNotContain(Entities(text), e => e.Text == word);
    }

    [Fact]
    public async Task Entities_of_one_headline_get_sentiment_of_their_own()
    {
        var analyzer = new EmbeddedAnalyzer(embedder.Embedder, SentimentModel.LoadEmbedded(), new EntityExtractor(lists.Catalog, Tagger));

        var result = (await analyzer.AnalyzeAsync([new AnalysisRequest("Sensex falls 300 points; IT stocks gain")], CancellationToken.None))[0];

        var sensex = Assert.Single(result.Entities, e => e.Text == "Sensex");
        var it = Assert.Single(result.Entities, e => e.Text == "IT stocks");
        Assert.Equal(SentimentLabel.Bearish, sensex.Sentiment);
        Assert.Equal(SentimentLabel.Bullish, it.Sentiment);
        Assert.All(result.Entities, e => Assert.NotNull(e.Confidence));
    }

    [Theory]
    [InlineData("US stocks finish mixed amid more tech selling", "US stocks")]
    [InlineData("Makemytrip expands share sale plan", "Makemytrip")]
    public async Task The_analyser_gives_the_tagger_the_encoders_view_of_each_word_from_its_one_pass(string text, string mention)
    {
        // Without the token states the built-in tagger misses these mentions (after retraining, pick headlines it
        // still misses so): the analyser finds them only if it passes the states of its encoder pass on.
        var extractor = new EntityExtractor(lists.Catalog, Tagger);
        Assert.DoesNotContain(extractor.Extract(text), m => m.Entity.Text == mention);
        var analyzer = new EmbeddedAnalyzer(embedder.Embedder, SentimentModel.LoadEmbedded(), extractor);

        var computed = (await analyzer.AnalyzeAsync([new AnalysisRequest(text, "news")], CancellationToken.None))[0];
        var (vectors, tokens) = embedder.Embedder.EmbedWithTokens([text]);
        var given = (await analyzer.AnalyzeAsync([new AnalysisRequest(text, "news", vectors[0], tokens[0])], CancellationToken.None))[0];

        Assert.Contains(computed.Entities, e => e.Text == mention);
        Assert.Contains(given.Entities, e => e.Text == mention);
    }
}
