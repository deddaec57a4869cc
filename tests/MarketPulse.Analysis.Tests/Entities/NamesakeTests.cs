using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Tests.Entities.TestData;

namespace MarketPulse.Analysis.Tests.Entities;

/// <summary>
/// A name several companies answer to is linked from the text's context, or left unlinked: Siemens (Siemens Ltd on
/// NSE, Siemens AG in Frankfurt, which no loaded list has) and Pfizer (Pfizer Ltd on NSE, Pfizer Inc on NYSE).
/// </summary>
public sealed class NamesakeTests(ReferenceListsFixture lists) : IClassFixture<ReferenceListsFixture>
{
    private Entity Named(string text, string name)
    {
        var tagger = EntityTagger.LoadEmbedded() ?? throw new InvalidOperationException("the tagger is not built in");
        var entities = new EntityExtractor(lists.Catalog).Extract(text).Select(m => m.Entity)
            .Concat(new EntityExtractor(lists.Catalog, tagger).Extract(text).Select(m => m.Entity)).ToList();
        // Both the catalogue alone and the tagger with it must agree.
        var matches = entities.Where(e => e.Text.StartsWith(name, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, matches.Count);
        Assert.Equal((matches[0].Symbol, matches[0].Exchange, matches[0].Unlisted), (matches[1].Symbol, matches[1].Exchange, matches[1].Unlisted));
        return matches[0];
    }

    [Theory]
    [InlineData("Siemens bags Rs 500 crore order from NHAI")]
    [InlineData("Siemens shares rise 3% on NSE after order win")]
    [InlineData("Siemens Ltd gains 2% as Sensex climbs")]
    public void Indian_context_links_siemens_to_siemens_ltd(string text)
    {
        var siemens = Named(text, "Siemens");

        Assert.Equal(("SIEMENS", "NSE", false), (siemens.Symbol, siemens.Exchange, siemens.Unlisted));
    }

    [Theory]
    [InlineData("Siemens AG cuts its outlook")]
    [InlineData("Siemens shares slide in Frankfurt as euro firms")]
    [InlineData("Siemens Q3 profit rises 20%")]
    public void Foreign_or_no_context_leaves_siemens_unlinked(string text)
    {
        var siemens = Named(text, "Siemens");

        Assert.Null(siemens.Symbol);
        Assert.True(siemens.Unlisted);
    }

    [Theory]
    [InlineData("Pfizer falls on Wall Street after vaccine sales slump", "PFE")]
    [InlineData("Pfizer Inc raises its forecast", "PFE")]
    [InlineData("Pfizer rises 4% on BSE, hits Rs 5,000", "PFIZER")]
    public void Context_chooses_between_listings_of_the_same_name(string text, string symbol)
    {
        Assert.Equal(symbol, Named(text, "Pfizer").Symbol);
    }

    [Fact]
    public void Same_name_on_two_markets_without_context_is_unlinked()
    {
        var pfizer = Named("Pfizer shares gain on strong results", "Pfizer");

        Assert.Null(pfizer.Symbol);
        Assert.True(pfizer.Unlisted);
    }

    [Fact]
    public void A_name_only_one_company_answers_to_is_linked_without_context()
    {
        var infosys = Named("Infosys wins a large deal", "Infosys");

        Assert.Equal("INFY", infosys.Symbol);
    }
}
