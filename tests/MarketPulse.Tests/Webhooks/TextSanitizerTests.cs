using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Webhooks;

public sealed class TextSanitizerTests
{
    [Theory]
    [InlineData("<p>Hello <b>world</b></p>", "Hello world")]
    [InlineData("before<script type=\"text/javascript\">steal()</script>after", "before after")]
    [InlineData("x<STYLE>body{}</STYLE>y", "x y")]
    [InlineData("a<!-- hidden -->b", "a b")]
    [InlineData("line one<br/>line two", "line one\nline two")]
    [InlineData("Tom &amp; Jerry &#8377;100 &quot;q&quot;", "Tom & Jerry ₹100 \"q\"")]
    [InlineData("a < b and c > d", "a < b and c > d")]
    [InlineData("  many   spaces\t\there  ", "many spaces here")]
    [InlineData("bell\u0007null\u0000esc\u001b", "bellnullesc")]
    [InlineData("one\r\ntwo\rthree\n\n\n\nfour", "one\ntwo\nthree\n\nfour")]
    [InlineData("hidden\u200Bzero\u202Ewidth\uFEFF", "hiddenzerowidth")]
    [InlineData("नमस्ते\u200C भारत", "नमस्ते\u200C भारत")]
    public void Cleans_markup_entities_controls_and_whitespace(string input, string expected)
    {
        Assert.Equal(expected, TextSanitizer.Clean(input));
    }

    [Fact]
    public void Lone_surrogate_becomes_replacement_character()
    {
        Assert.Equal("a\uFFFDb", TextSanitizer.Clean("a\uD800b"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \n\t ")]
    [InlineData("<p></p>")]
    public void Nothing_left_is_null(string? input)
    {
        Assert.Null(TextSanitizer.Clean(input));
    }

    [Fact]
    public void Encoded_markup_is_decoded_once_and_kept_as_text()
    {
        Assert.Equal("<script>alert(1)</script>", TextSanitizer.Clean("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}
