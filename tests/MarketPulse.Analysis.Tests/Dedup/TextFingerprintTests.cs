using MarketPulse.Analysis.Dedup;

namespace MarketPulse.Analysis.Tests.Dedup;

public class TextFingerprintTests
{
    [Theory]
    [InlineData("Apple beats earnings!", "apple   beats earnings")]
    [InlineData("RT @market_bot: Apple beats earnings", "Apple beats earnings")]
    [InlineData("rt @a: RT @b: Apple beats earnings", "Apple beats earnings")]
    [InlineData("Apple beats earnings https://t.co/abc123", "Apple beats earnings")]
    [InlineData("Apple beats earnings www.example.com/x?y=1 ", "APPLE BEATS EARNINGS")]
    [InlineData("Apple, beats... earnings\n\t(!)", "apple beats earnings")]
    public void Copies_that_differ_only_in_case_spacing_urls_punctuation_or_retweet_prefix_hash_the_same(string a, string b) =>
        Assert.Equal(TextFingerprint.Hash(a), TextFingerprint.Hash(b));

    [Theory]
    [InlineData("AAPL up 5.2%", "AAPL up 52%")]
    [InlineData("Apple beats earnings", "Apple misses earnings")]
    [InlineData("Apple beats earnings RT @x: too", "Apple beats earnings too")]
    [InlineData("$AAPL beats", "AAPL beats")]
    public void Texts_with_different_words_hash_differently(string a, string b) =>
        Assert.NotEqual(TextFingerprint.Hash(a), TextFingerprint.Hash(b));

    [Fact]
    public void Normalised_form_is_lower_case_words_separated_by_single_spaces() =>
        Assert.Equal("tesla recalls 2 0 million cars", TextFingerprint.Normalize("RT @news: Tesla  RECALLS 2.0 million cars!! https://t.co/x"));

    [Fact]
    public void Hash_is_lower_case_hex_sha256() =>
        Assert.Matches("^[0-9a-f]{64}$", TextFingerprint.Hash("anything"));
}
