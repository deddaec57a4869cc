using MarketPulse.Analysis;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Training;

public sealed class SentfinCsvTests
{
    private static IReadOnlyList<SentfinHeadline> Parse(string csv) => SentfinCsv.Read(new StringReader(csv), "sentfin.csv");

    [Fact]
    public void Quoted_headlines_and_the_json_entity_column_are_read_as_written()
    {
        var rows = Parse("""
            id,headline,entities
            2,MMTC Q2 net loss at Rs 10.4 crore,"{""MMTC"": ""neutral""}"
            9,"Sensex falls 300 pts, IT stocks gain","{""Sensex"": ""negative"", ""IT stocks"": ""positive""}"
            11,"Tata ""Nano"" sales slump
            in June","{""Tata"": ""negative""}"
            """);

        Assert.Equal(3, rows.Count);
        Assert.Equal(("2", "MMTC Q2 net loss at Rs 10.4 crore"), (rows[0].Id, rows[0].Text));
        Assert.Equal([new EntityLabel("MMTC", SentimentLabel.Neutral)], rows[0].Entities);
        Assert.Equal("Sensex falls 300 pts, IT stocks gain", rows[1].Text);
        Assert.Equal([new EntityLabel("Sensex", SentimentLabel.Bearish), new EntityLabel("IT stocks", SentimentLabel.Bullish)], rows[1].Entities);
        Assert.Equal("Tata \"Nano\" sales slump\nin June", rows[2].Text);
        Assert.Equal(4, rows[2].Line);
    }

    [Fact]
    public void A_headline_has_one_label_only_when_all_its_entities_share_it()
    {
        var rows = Parse("""
            id,headline,entities
            1,Nifty and Sensex rally,"{""Nifty"": ""positive"", ""Sensex"": ""positive""}"
            2,Gold up; rupee down,"{""Gold"": ""positive"", ""rupee"": ""negative""}"
            3,RBI policy today,"{""RBI"": ""neutral""}"
            """);

        Assert.Equal([SentimentLabel.Bullish, null, SentimentLabel.Neutral], rows.Select(r => r.SharedLabel));
    }

    [Theory]
    [InlineData("4,Bad label,\"{\"\"X\"\": \"\"bullish\"\"}\"", "'bullish'")]
    [InlineData("4,Not json,{X: positive}", "not valid JSON")]
    [InlineData("4,An array,\"[\"\"X\"\"]\"", "not a JSON object")]
    [InlineData("4,No entity,{}", "names no entity")]
    public void Bad_entity_columns_are_reported_with_file_and_line(string row, string message)
    {
        var error = Assert.Throws<FormatException>(() => Parse("id,headline,entities\n1,Fine,\"{\"\"A\"\": \"\"neutral\"\"}\"\n\n" + row + "\n"));

        Assert.StartsWith("sentfin.csv:4:", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_without_the_entities_column_is_reported()
    {
        var error = Assert.Throws<FormatException>(() => Parse("id,headline\n1,x\n"));

        Assert.Contains("'entities'", error.Message, StringComparison.Ordinal);
    }
}
