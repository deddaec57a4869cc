using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Webhooks;

public sealed class SourceNormalizersTests
{
    [Fact]
    public void Every_endpoint_source_has_a_normalizer_named_after_it()
    {
        Assert.Equal(["economic", "news", "reddit", "truedata", "twitter"], SourceNormalizers.All.Keys.Order(StringComparer.Ordinal));
        Assert.All(SourceNormalizers.All, pair => Assert.Equal(pair.Key, pair.Value.Source));
        Assert.Same(SourceNormalizers.All["news"], SourceNormalizers.Find("NEWS"));
        Assert.Null(SourceNormalizers.Find("facebook"));
    }

    [Theory]
    [InlineData("truedata", "truedata-trade")]
    [InlineData("news", "news-newsapi")]
    [InlineData("twitter", "twitter-search")]
    [InlineData("reddit", "reddit-listing")]
    [InlineData("economic", "economic-te")]
    public void Every_item_of_every_source_names_its_source_and_keeps_raw_json(string source, string sample)
    {
        var result = Samples.Normalize(SourceNormalizers.All[source], sample);

        Assert.NotEmpty(result.Items);
        Assert.All(result.Items, i =>
        {
            Assert.Equal(source, i.Item.Source);
            Assert.False(string.IsNullOrWhiteSpace(i.Item.ExternalId));
            Assert.Contains(i.Item.RawJson, Samples.Text(sample), StringComparison.Ordinal);
        });
    }
}
