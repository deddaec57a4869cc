using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Webhooks;

public sealed class ExternalIdsTests
{
    [Fact]
    public void Hash_is_stable_prefixed_sha256_hex()
    {
        var id = ExternalIds.Hash("news", "https://example.com/a");

        Assert.Equal(id, ExternalIds.Hash("news", "https://example.com/a"));
        Assert.Matches("^h:[0-9a-f]{64}$", id);
    }

    [Fact]
    public void Hash_depends_on_source_and_field_boundaries()
    {
        Assert.NotEqual(ExternalIds.Hash("news", "x"), ExternalIds.Hash("reddit", "x"));
        Assert.NotEqual(ExternalIds.Hash("news", "ab", "c"), ExternalIds.Hash("news", "a", "bc"));
    }

    [Fact]
    public void Known_input_gives_known_id()
    {
        // sha256("news\u001fabc"), computed independently with `printf 'news\x1fabc' | sha256sum`.
        Assert.Equal("h:44e957ee8ca3b3ba15b9ba8fc47b5c0332fcb60bc7b58a1adc7191d2bfbe74b3", ExternalIds.Hash("news", "abc"));
    }
}
