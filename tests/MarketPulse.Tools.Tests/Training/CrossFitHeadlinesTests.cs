using MarketPulse.Analysis;
using MarketPulse.Testing;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Training;

/// <summary>The entity sentiment model's out-of-fold headline predictions: no headline is predicted by a model that saw it.</summary>
[Collection(EmbedderCollection.Name)]
public sealed class CrossFitHeadlinesTests(EmbedderFixture fixture)
{
    private const int Folds = 3;

    private static readonly SentimentTrainingOptions Small = SentimentTrainingTests.Small with { MaxEpochs = 3 };

    private static readonly LabeledText[] Others =
    [
        new("Shares of Infosys surge after profit beats estimates", SentimentLabel.Bullish),
        new("Nifty hits a record high as banks rally", SentimentLabel.Bullish),
        new("Analysts upgrade Tata Steel on higher margins", SentimentLabel.Bullish),
        new("Paytm shares plunge after regulator curbs its bank", SentimentLabel.Bearish),
        new("Rupee falls to a record low against the dollar", SentimentLabel.Bearish),
        new("Wipro slides after weak revenue guidance", SentimentLabel.Bearish),
        new("Reliance to hold its annual general meeting on August 29", SentimentLabel.Neutral),
        new("TCS announces date of board meeting", SentimentLabel.Neutral),
        new("RBI monetary policy committee meets next week", SentimentLabel.Neutral),
    ];

    private static readonly SentfinHeadline[] Headlines =
    [
        new("1", "Sensex tanks 800 points as FIIs sell", [new("Sensex", SentimentLabel.Bearish)]),
        new("2", "Infosys beats estimates, raises guidance", [new("Infosys", SentimentLabel.Bullish)]),
        new("3", "RBI keeps repo rate unchanged", [new("RBI", SentimentLabel.Neutral)]),
        new("4", "Sensex falls 300 points; IT stocks gain", [new("Sensex", SentimentLabel.Bearish), new("IT stocks", SentimentLabel.Bullish)]),
        new("5", "HDFC Bank profit jumps 20%", [new("HDFC Bank", SentimentLabel.Bullish)]),
        new("6", "Vedanta downgraded on rising debt", [new("Vedanta", SentimentLabel.Bearish)]),
        new("7", "Sebi to meet on Friday", [new("Sebi", SentimentLabel.Neutral)]),
        new("8", "Gold steady; silver drops", [new("Gold", SentimentLabel.Neutral), new("silver", SentimentLabel.Bearish)]),
        new("9", "Tata Motors rallies on strong sales", [new("Tata Motors", SentimentLabel.Bullish)]),
        new("10", "Adani stocks tumble on fraud allegations", [new("Adani", SentimentLabel.Bearish)]),
        new("11", "Wipro to announce results on Tuesday", [new("Wipro", SentimentLabel.Neutral)]),
        new("12", "Sensex tanks 800 points as FIIs sell", [new("Sensex", SentimentLabel.Bearish)]),
    ];

    [Fact]
    public async Task Each_headline_is_predicted_by_the_model_trained_without_its_fold()
    {
        var predictions = await CrossFitHeadlines.PredictAsync(Headlines, Others, Folds, Small, fixture.Embedder, TextWriter.Null, CancellationToken.None);

        Assert.Equal(Headlines.Select(h => h.Id).Order(StringComparer.Ordinal), predictions.Keys.Order(StringComparer.Ordinal));
        // The same text falls in one fold, so a repeated headline is never trained on while it is predicted.
        Assert.Equal(CrossFitHeadlines.Fold(Headlines[0].Text, Folds), CrossFitHeadlines.Fold(Headlines[^1].Text, Folds));
        Assert.True(Headlines.Select(h => CrossFitHeadlines.Fold(h.Text, Folds)).Distinct().Count() > 1);
        for (var fold = 0; fold < Folds; fold++)
        {
            var inFold = Headlines.Where(h => CrossFitHeadlines.Fold(h.Text, Folds) == fold).ToList();
            if (inFold.Count == 0)
            {
                continue;
            }

            // The fold's model, trained here by hand on the other rows only: its predictions are the ones returned.
            var rows = Others.Concat(Headlines.Where(h => CrossFitHeadlines.Fold(h.Text, Folds) != fold && h.SharedLabel is not null)
                .Select(h => new LabeledText(h.Text, h.SharedLabel!.Value, h.Line))).ToList();
            var model = SentimentTraining.Train(rows, fixture.Embedder.Embed(rows.Select(r => r.Text).ToList()), fixture.Embedder.ModelId, Small, TextWriter.Null, CancellationToken.None);
            var expected = model.Predict(inFold.Select(h => h.Text).ToList(), fixture.Embedder);
            Assert.Equal(expected, inFold.Select(h => predictions[h.Id]).ToList());
        }
    }

    [Fact]
    public async Task The_same_inputs_give_the_same_predictions()
    {
        var first = await CrossFitHeadlines.PredictAsync(Headlines, Others, Folds, Small, fixture.Embedder, TextWriter.Null, CancellationToken.None);
        var second = await CrossFitHeadlines.PredictAsync(Headlines, Others, Folds, Small, fixture.Embedder, TextWriter.Null, CancellationToken.None);

        Assert.Equal(first.OrderBy(p => p.Key, StringComparer.Ordinal), second.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
