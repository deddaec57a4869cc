using MarketPulse.Webhooks;
using MarketPulse.Webhooks.Sources;

namespace MarketPulse.Tests.Webhooks;

public sealed class TwitterNormalizerTests
{
    private readonly TwitterNormalizer _normalizer = new();

    [Fact]
    public void Search_response_resolves_authors_cashtags_metrics_and_expanded_urls()
    {
        var result = Samples.Normalize(_normalizer, "twitter-search");

        Assert.Empty(result.Errors);
        var tweet = Samples.ById(result, "1800123456789012345");
        Assert.Equal("niftytrader", tweet.Author);
        Assert.Equal("https://x.com/niftytrader/status/1800123456789012345", tweet.Url);
        Assert.Equal(["RELIANCE"], tweet.Symbols);
        Assert.Equal("en", tweet.Language);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 8, 20, 11, TimeSpan.Zero), tweet.PublishedAt);
        Assert.Equal(87, tweet.Metrics["like_count"]);
        Assert.Equal(12, tweet.Metrics["retweet_count"]);
        Assert.Equal(10432, tweet.Metrics["impression_count"]);
        Assert.Contains("https://www.reuters.com/business/reliance-jio-tariff-2024-06-10/", tweet.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("t.co", tweet.Text, StringComparison.Ordinal);
        Assert.Contains("https://t.co/AbCdEf1234", tweet.RawJson, StringComparison.Ordinal);
    }

    [Fact]
    public void Retweet_keeps_its_RT_text_and_is_flagged()
    {
        var retweet = Samples.ById(Samples.Normalize(_normalizer, "twitter-search"), "1800123999999999999");

        Assert.Equal("RT @marketguru: $TCS and $INFY both up 2% pre-open, IT is back", retweet.Text);
        Assert.Equal(1, retweet.Metrics["is_retweet"]);
        Assert.Equal(["TCS", "INFY"], retweet.Symbols);
        Assert.Equal("retweeter_in", retweet.Author);
    }

    [Fact]
    public void Reply_from_an_author_not_in_includes_keeps_the_author_id_and_no_url()
    {
        var reply = Samples.ById(Samples.Normalize(_normalizer, "twitter-search"), "1800124500000000000");

        Assert.Equal("3333333333", reply.Author);
        Assert.Null(reply.Url);
        Assert.Equal(1, reply.Metrics["is_reply"]);
        Assert.Equal("@marketguru Not convinced, the rally in $TCS looks overextended & volumes are thin", reply.Text);
    }

    [Fact]
    public void Single_long_post_uses_the_note_tweet_text()
    {
        var item = Samples.Single(Samples.Normalize(_normalizer, "twitter-single"));

        Assert.EndsWith("weighed on the stock for a year.", item.Text, StringComparison.Ordinal);
        Assert.Equal(1, item.Metrics["is_quote"]);
        Assert.Equal(["HDFCBANK"], item.Symbols);
        Assert.Equal("https://x.com/niftytrader/status/1800200000000000000", item.Url);
    }

    [Fact]
    public void Tweet_without_text_or_with_a_bad_id_is_reported()
    {
        var result = Samples.NormalizeJson(_normalizer, """{"data":[{"id":"1800"},{"id":"12ab","text":"hello"},{"id":"1801","text":"ok"}]}""");

        Assert.Equal([2], result.Items.Select(i => i.Index));
        Assert.Collection(result.Errors,
            e => Assert.Equal((0, "data[0].text", "required"), (e.Index, e.Field, e.Rule)),
            e => Assert.Equal((1, "data[1].id", "format"), (e.Index, e.Field, e.Rule)));
    }

    [Theory]
    [InlineData("""{"errors":[{"title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}]}""")]
    [InlineData("""{"tweets":[]}""")]
    [InlineData("""[{"id":"1","text":"x"}]""")]
    public void Documents_without_data_are_rejected_whole(string json)
    {
        Assert.Equal("data", Samples.ShapeError(_normalizer, json).Field);
    }
}
