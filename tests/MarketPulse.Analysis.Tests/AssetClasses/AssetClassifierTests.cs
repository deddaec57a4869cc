using MarketPulse.Analysis.AssetClasses;
using MarketPulse.Analysis.Entities;

namespace MarketPulse.Analysis.Tests.AssetClasses;

public sealed class AssetClassifierTests
{
    private static readonly EntityExtractor Extractor = new(SecurityCatalog.Empty);

    private static AssetClass Classify(string text, string? source = "news") =>
        AssetClassifier.Classify(text, [.. Extractor.Extract(text).Select(m => m.Entity)], source);

    [Theory]
    [InlineData("Reliance Industries shares jump 4% after Jio tariff hike; Nifty at record", AssetClass.Equity)]
    [InlineData("Apple slips as Treasury yields climb", AssetClass.Equity)]
    [InlineData("Nifty, Sensex end at record highs", AssetClass.Index)]
    [InlineData("Sensex tanks 800 points after Fed rate hike", AssetClass.Index)]
    [InlineData("RBI keeps repo rate unchanged at 6.5%; Nifty flat", AssetClass.Rates)]
    [InlineData("10-year Treasury yields jump to 4.6%", AssetClass.Rates)]
    [InlineData("US CPI inflation cools to 2.9% in August", AssetClass.Macro)]
    [InlineData("India GDP grows 7.8% in the June quarter", AssetClass.Macro)]
    [InlineData("Gold hits record as Fed signals rate cut", AssetClass.Commodity)]
    [InlineData("Brent crude slips as OPEC+ adds supply", AssetClass.Commodity)]
    [InlineData("Rupee slips to 87 against the dollar", AssetClass.Currency)]
    [InlineData("USD/INR climbs as inflows dry up", AssetClass.Currency)]
    [InlineData("Bitcoin falls as dollar strengthens", AssetClass.Crypto)]
    [InlineData("Crypto market sheds $200 billion overnight", AssetClass.Crypto)]
    [InlineData("Markets await cues from the global trend", AssetClass.Equity)]
    public void Text_is_classified_by_its_entities_and_wording(string text, AssetClass expected)
    {
        Assert.Equal(expected, Classify(text));
    }

    [Fact]
    public void Economic_calendar_events_are_macro_whatever_they_mention()
    {
        Assert.Equal(AssetClass.Macro, Classify("USD/INR reference rate; RBI repo rate decision", "economic"));
        Assert.Equal(AssetClass.Macro, Classify("Apple earnings call", "Economic"));
    }

    [Fact]
    public void Lowercase_fed_as_a_verb_is_no_rates_cue()
    {
        Assert.Equal(AssetClass.Equity, Classify("traders fed up with choppy markets"));
    }
}
