using MarketPulse.Webhooks;
using MarketPulse.Webhooks.Sources;

namespace MarketPulse.Tests.Webhooks;

public sealed class RedditNormalizerTests
{
    private readonly RedditNormalizer _normalizer = new();

    [Fact]
    public void Submission_maps_fullname_text_permalink_and_scores()
    {
        var item = Samples.Single(Samples.Normalize(_normalizer, "reddit-t3"));

        Assert.Equal("t3_1dc9xyz", item.ExternalId);
        Assert.Equal("Tata Motors: is the EV demerger priced in? Bought 50 shares of **TATAMOTORS** at 950. JLR numbers look strong & EV spin-off is coming. Thoughts?", item.Text);
        Assert.Equal("Tata Motors: is the EV demerger priced in?", item.Title);
        Assert.Equal("dalal_street_dev", item.Author);
        Assert.Equal("https://www.reddit.com/r/IndianStreetBets/comments/1dc9xyz/tata_motors_is_the_ev_demerger_priced_in/", item.Url);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1718010000), item.PublishedAt);
        Assert.Equal(342, item.Metrics["score"]);
        Assert.Equal(57, item.Metrics["num_comments"]);
        Assert.Equal(0.93, item.Metrics["upvote_ratio"]);
        Assert.Equal(Samples.Text("reddit-t3").Trim(), item.RawJson);
    }

    [Fact]
    public void Removed_and_deleted_posts_are_kept_title_only_and_flagged()
    {
        var result = Samples.Normalize(_normalizer, "reddit-listing");

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Items.Count);
        var fine = Samples.ById(result, "t3_1dc8aaa");
        Assert.Equal("SEBI tightens F&O rules: what changes for retail traders", fine.Text);
        Assert.False(fine.Metrics.ContainsKey("removed"));

        var removed = Samples.ById(result, "t3_1dc8bbb");
        Assert.Equal("Guaranteed 10x penny stock tip, DM me", removed.Text);
        Assert.Equal(1, removed.Metrics["removed"]);

        var deleted = Samples.ById(result, "t3_1dc8ccc");
        Assert.Equal("Sold my HDFC Bank at a loss, was that dumb?", deleted.Text);
        Assert.Equal(1, deleted.Metrics["deleted"]);
        Assert.Null(deleted.Author);
    }

    [Fact]
    public void Post_json_array_flattens_post_comments_and_replies_and_skips_more()
    {
        var result = Samples.Normalize(_normalizer, "reddit-post-comments");

        Assert.Empty(result.Errors);
        Assert.Equal(["t3_1dcaaaa", "t1_l7abc01", "t1_l7abc02", "t1_l7abc03"], result.Items.Select(i => i.Item.ExternalId));
        var comment = result.Items[1].Item;
        Assert.Equal("Deal size is ~1% of revenue a year. Nice but not a re-rating.", comment.Text);
        Assert.Equal("Infosys $1.5B Liberty Global deal", comment.Title);
        var removedReply = result.Items[2].Item;
        Assert.Null(removedReply.Text);
        Assert.Equal(1, removedReply.Metrics["removed"]);
        Assert.Null(removedReply.Author);
        Assert.Equal("Agree, but the pipeline commentary was strong > last quarter.", result.Items[3].Item.Text);
    }

    [Fact]
    public void Bad_things_in_a_listing_are_reported_with_their_path()
    {
        const string json = """
            {"kind":"Listing","data":{"children":[
              {"kind":"t5","data":{"display_name":"IndiaInvestments"}},
              {"kind":"t3","data":{"name":"t3_x1","title":"No time"}},
              {"kind":"t3","data":{"name":"t3_x2","title":"Fine","selftext":"","created_utc":1718000000}}
            ]}}
            """;

        var result = Samples.NormalizeJson(_normalizer, json);

        Assert.Equal(["t3_x2"], result.Items.Select(i => i.Item.ExternalId));
        Assert.Collection(result.Errors,
            e => Assert.Equal((0, "data.children[0].kind", "type"), (e.Index, e.Field, e.Rule)),
            e => Assert.Equal((1, "data.children[1].data.created_utc", "required"), (e.Index, e.Field, e.Rule)));
    }

    [Theory]
    [InlineData("""{"kind":"t5","data":{}}""")]
    [InlineData("""{"data":{"children":[]}}""")]
    [InlineData("""[{"kind":"t3","data":{}}]""")]
    public void Documents_that_are_not_reddit_things_are_rejected_whole(string json)
    {
        Samples.ShapeError(_normalizer, json);
    }

    [Fact]
    public void Empty_listing_is_an_empty_batch()
    {
        Assert.Equal("empty_batch", Samples.ShapeError(_normalizer, """{"kind":"Listing","data":{"children":[]}}""").Rule);
    }
}
