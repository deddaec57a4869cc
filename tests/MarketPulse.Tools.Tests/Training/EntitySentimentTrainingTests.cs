using MarketPulse.Analysis;
using MarketPulse.Analysis.Entities;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Training;

public sealed class EntitySentimentTrainingTests
{
    private static readonly SentfinHeadline[] Headlines =
    [
        new("1", "Sensex falls 300 points; IT stocks gain", [new("Sensex", SentimentLabel.Bearish), new("IT stocks", SentimentLabel.Bullish)]),
        new("2", "Infosys gains while Wipro slips", [new("Infosys", SentimentLabel.Bullish), new("Wipro", SentimentLabel.Bearish)]),
        new("3", "Nifty rises as banks rally", [new("Nifty", SentimentLabel.Bullish), new("banks", SentimentLabel.Bullish)]),
        new("4", "Gold steady; silver drops", [new("Gold", SentimentLabel.Neutral), new("silver", SentimentLabel.Bearish)]),
        new("5", "Rupee slips against dollar", [new("Rupee", SentimentLabel.Bearish)]),
        new("6", "HDFC Bank profit jumps 20%", [new("HDFC Bank", SentimentLabel.Bullish)]),
    ];

    [Fact]
    public void The_same_rows_train_the_same_bytes_and_the_model_fits_its_rows()
    {
        var first = Train();
        var second = Train();

        Assert.Equal(Bytes(first), Bytes(second));
        Assert.True(EntitySentimentTraining.Accuracy(first, Rows()) > 0.8);
    }

    [Fact]
    public void Every_gold_entity_spelled_in_the_headline_is_a_row_and_mixed_headlines_are_marked()
    {
        var rows = Rows();

        Assert.Equal(Headlines.Sum(h => h.Entities.Count), rows.Count);
        Assert.Equal(6, rows.Count(r => r.Mixed));
    }

    private static List<EntitySentimentTraining.Row> Rows() =>
        EntitySentimentTraining.Rows(Headlines, h => new SentimentPrediction(h.SharedLabel ?? SentimentLabel.Neutral, 0, 0.5), new EntitySentimentModel(12));

    private static EntitySentimentModel Train() => EntitySentimentTraining.Train(Rows(), 12, TextWriter.Null, CancellationToken.None);

    private static byte[] Bytes(EntitySentimentModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
