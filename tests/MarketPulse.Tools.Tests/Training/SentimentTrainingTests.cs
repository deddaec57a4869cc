using MarketPulse.Analysis;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Testing;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Training;

[Collection(EmbedderCollection.Name)]
public sealed class SentimentTrainingTests(EmbedderFixture fixture)
{
    // A tiny hand-written dataset (labels: 0 bearish, 1 bullish, 2 neutral), including a quoted text with a line break.
    private const string TinyCsv = """
        text,label
        Shares of Infosys surge after profit beats estimates,1
        "$AAPL - Apple raised to Buy at Morgan Stanley, price target lifted https://t.co/abc",1
        Nifty hits a record high as banks rally,1
        Tesla jumps 9% on strong deliveries,1
        Analysts upgrade Tata Steel on higher margins,1
        Sensex climbs 600 points led by IT stocks,1
        Zomato soars after its first quarterly profit,1
        Oil rebounds as supply fears grow,1
        "Bank of Baroda gains
        after asset quality improves",1
        HUL beats revenue forecasts and lifts dividend,1
        Paytm shares plunge after regulator curbs its bank,0
        Boeing cut to Sell at Jefferies on weak outlook,0
        Nifty slumps as foreign investors pull out,0
        Intel misses estimates and cuts guidance,0
        Rupee falls to a record low against the dollar,0
        Adani stocks tumble on fraud allegations,0
        Wipro slides after weak revenue guidance,0
        Crude drops as demand worries mount,0
        Vedanta downgraded on rising debt,0
        Ford recalls 200000 vehicles and shares sink,0
        Reliance to hold its annual general meeting on August 29,2
        Microsoft to report quarterly results on Tuesday,2
        RBI monetary policy committee meets next week,2
        Infosys appoints a new chief financial officer,2
        TCS announces date of board meeting,2
        Apple unveils new iPhone lineup at its September event,2
        SEBI releases consultation paper on mutual fund fees,2
        HDFC Bank completes merger with HDFC,2
        Fed chair Powell speaks at Jackson Hole on Friday,2
        Amazon opens a new office in Hyderabad,2
        """;

    /// <summary>Settings small enough to train in a second on a few dozen rows; shared with the cross-fit tests.</summary>
    internal static readonly SentimentTrainingOptions Small = new()
    {
        Seed = 7,
        HoldoutFraction = 0.3,
        HashBits = 12,
        LinearIterations = 25,
        HiddenUnits = 8,
        MaxEpochs = 4,
        BatchSize = 4,
    };

    [Fact]
    public async Task Training_twice_on_the_same_data_gives_identical_weight_bytes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tiny-sentiment-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, TinyCsv, CancellationToken.None);
        try
        {
            var progress = new StringWriter();
            var first = await SentimentTraining.TrainAsync(path, fixture.Embedder, Small, progress, CancellationToken.None);
            var second = await SentimentTraining.TrainAsync(path, fixture.Embedder, Small, TextWriter.Null, CancellationToken.None);

            Assert.Equal(Bytes(first), Bytes(second));
            Assert.Equal(first.Version, second.Version);
            Assert.Contains("network: epoch 4", progress.ToString(), StringComparison.Ordinal);
            Assert.Contains("held-out loss", progress.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Evaluation_counts_every_row_and_names_the_classes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tiny-sentiment-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, TinyCsv, CancellationToken.None);
        try
        {
            var model = SentimentModel.LoadEmbedded();
            var report = await SentimentTraining.EvaluateAsync(path, model, fixture.Embedder, CancellationToken.None);

            var confusionTotal = 0;
            foreach (var count in report.Confusion)
            {
                confusionTotal += count;
            }

            Assert.Equal(30, report.Count);
            Assert.Equal(30, confusionTotal);
            Assert.Equal([10, 10, 10], report.Classes.Select(c => c.Support));
            Assert.InRange(report.WeightedF1, 0.6, 1.0);
            var text = report.Format();
            Assert.Contains("bearish", text, StringComparison.Ordinal);
            Assert.Contains("bullish", text, StringComparison.Ordinal);
            Assert.Contains("neutral", text, StringComparison.Ordinal);
            Assert.Contains("weighted F1", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Report_figures_match_a_hand_computed_confusion()
    {
        SentimentLabel[] gold = [SentimentLabel.Bearish, SentimentLabel.Bearish, SentimentLabel.Bullish, SentimentLabel.Neutral];
        SentimentPrediction[] predicted =
        [
            new(SentimentLabel.Bearish, -0.8, 0.9),
            new(SentimentLabel.Neutral, 0, 0.6),
            new(SentimentLabel.Bullish, 0.7, 0.8),
            new(SentimentLabel.Neutral, 0, 0.7),
        ];

        var report = EvaluationReport.Create(gold, predicted);

        Assert.Equal(0.75, report.Accuracy, 6);
        Assert.Equal(1, report.Confusion[0, 2]);
        // bearish P=1 R=0.5 F1=2/3; bullish F1=1; neutral P=0.5 R=1 F1=2/3.
        Assert.Equal(((2.0 / 3) + 1 + (2.0 / 3)) / 3, report.MacroF1, 6);
        Assert.Equal(((2.0 / 3 * 2) + 1 + (2.0 / 3)) / 4, report.WeightedF1, 6);
    }

    private static byte[] Bytes(SentimentModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
