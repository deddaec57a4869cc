using MarketPulse.Analysis;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Testing;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Training;

public sealed class LabeledCsvTests
{
    private static IReadOnlyList<LabeledText> Parse(string csv) => LabeledCsv.Read(new StringReader(csv), "test.csv");

    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var rows = Parse("text,label\n\"Sensex, Nifty end higher\",1\n\"He said \"\"sell\"\"\nnow\",0\r\nplain text,2\n");

        Assert.Equal(3, rows.Count);
        Assert.Equal("Sensex, Nifty end higher", rows[0].Text);
        Assert.Equal(SentimentLabel.Bullish, rows[0].Label);
        Assert.Equal("He said \"sell\"\nnow", rows[1].Text);
        Assert.Equal(SentimentLabel.Bearish, rows[1].Label);
        Assert.Equal(("plain text", SentimentLabel.Neutral, 5), (rows[2].Text, rows[2].Label, rows[2].Line));
    }

    [Fact]
    public void Last_row_without_a_final_line_break_is_read()
    {
        var rows = Parse("text,label\nfirst,2\n\"last, quoted\",1");

        Assert.Equal(["first", "last, quoted"], rows.Select(r => r.Text));
    }

    [Fact]
    public void Label_outside_the_three_classes_is_reported_with_file_and_line()
    {
        var error = Assert.Throws<FormatException>(() => Parse("text,label\n\"two\nlines\",1\nbad one,3\n"));

        Assert.StartsWith("test.csv:4:", error.Message, StringComparison.Ordinal);
        Assert.Contains("'3'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_with_the_wrong_number_of_fields_is_reported_with_its_line()
    {
        var error = Assert.Throws<FormatException>(() => Parse("text,label\nok,1\nunquoted, comma,2\n"));

        Assert.StartsWith("test.csv:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unclosed_quote_is_reported_where_it_opens()
    {
        var error = Assert.Throws<FormatException>(() => Parse("text,label\nok,1\n\"never closed,2\nmore\n"));

        Assert.StartsWith("test.csv:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_label_column_is_reported()
    {
        var error = Assert.Throws<FormatException>(() => Parse("sentence,sentiment\nx,1\n"));

        Assert.Contains("'label'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_file_names_the_file_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"labeled-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "text,label\nfine,2\nnot a number,x\n");
        try
        {
            var error = Assert.Throws<FormatException>(() => LabeledCsv.Read(path));
            Assert.StartsWith($"{path}:3:", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
