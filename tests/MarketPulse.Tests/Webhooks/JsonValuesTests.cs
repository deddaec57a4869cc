using System.Text.Json;
using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Webhooks;

public sealed class JsonValuesTests
{
    [Theory]
    [InlineData("2.5%", 2.5)]
    [InlineData("1.2K", 1200)]
    [InlineData("178K", 178000)]
    [InlineData("-0.3B", -300_000_000)]
    [InlineData("$-10.5B", -10_500_000_000)]
    [InlineData("1,234.5", 1234.5)]
    [InlineData(" 57.5 ", 57.5)]
    public void Parses_calendar_number_strings(string text, double expected)
    {
        Assert.Equal(expected, JsonValues.ParseNumber(text)!.Value, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("N/A")]
    [InlineData("Tentative")]
    [InlineData("%")]
    public void Non_numbers_parse_to_null(string text)
    {
        Assert.Null(JsonValues.ParseNumber(text));
    }

    [Theory]
    [InlineData("1718006400")]
    [InlineData("1718006400000")]
    [InlineData("\"1718006400\"")]
    [InlineData("\"2024-06-10T08:00:00Z\"")]
    [InlineData("\"2024-06-10T13:30:00+05:30\"")]
    [InlineData("1718006400.0")]
    public void Unix_seconds_milliseconds_and_iso_give_the_same_instant(string json)
    {
        using var doc = JsonDocument.Parse(json);

        Assert.True(JsonValues.TryParseTime(doc.RootElement, TimeSpan.Zero, out var time));
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 8, 0, 0, TimeSpan.Zero), time);
    }

    [Fact]
    public void Naive_time_is_taken_at_the_assumed_offset()
    {
        Assert.True(JsonValues.TryParseTime("2024-06-10T13:30:00", JsonValues.Ist, out var time));
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 8, 0, 0, TimeSpan.Zero), time.ToUniversalTime());
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-5")]
    [InlineData("")]
    public void Unreadable_times_are_rejected(string text)
    {
        Assert.False(JsonValues.TryParseTime(text, TimeSpan.Zero, out _));
    }
}
