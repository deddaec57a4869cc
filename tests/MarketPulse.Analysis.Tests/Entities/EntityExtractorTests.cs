using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Tests.Entities.TestData;

namespace MarketPulse.Analysis.Tests.Entities;

public sealed class EntityExtractorTests(ReferenceListsFixture lists) : IClassFixture<ReferenceListsFixture>
{
    private readonly EntityExtractor _extractor = new(lists.Catalog);

    private List<Entity> Entities(string text) => [.. _extractor.Extract(text).Select(m => m.Entity)];

    private static bool IsEquity(Entity entity) => entity.Type is EntityType.Company or EntityType.Ticker;

    [Fact]
    public void Acceptance_headline_gives_reliance_on_nse_and_nifty_50()
    {
        var entities = Entities("Reliance Industries shares jump 4% after Jio tariff hike; Nifty at record");

        Assert.Contains(entities, e => e is { Type: EntityType.Company, Symbol: "RELIANCE", Exchange: "NSE" });
        Assert.Contains(entities, e => e is { Type: EntityType.Index, Symbol: "NIFTY 50" });
        Assert.DoesNotContain(entities, e => e.Symbol == "JIOFIN");
    }

    [Theory]
    [InlineData("$AAPL to the moon", "AAPL", "NASDAQ")]
    [InlineData("Loading up on $RELIANCE today", "RELIANCE", "NSE")]
    [InlineData("$NOW beats on subscription revenue", "NOW", "NYSE")]
    [InlineData("$aapl looks heavy", "AAPL", "NASDAQ")]
    [InlineData("$SPY puts printing", "SPY", "NYSE Arca")]
    public void Cashtag_is_a_ticker_with_the_exchange_of_its_listing(string text, string symbol, string exchange)
    {
        var entity = Assert.Single(Entities(text));

        Assert.Equal(EntityType.Ticker, entity.Type);
        Assert.Equal(symbol, entity.Symbol);
        Assert.Equal(exchange, entity.Exchange);
    }

    [Fact]
    public void Unknown_cashtag_is_kept_without_exchange_and_dollar_amounts_are_not_tickers()
    {
        var entities = Entities("$ZZQX squeezes while $100 and $4.5bn change hands");

        var entity = Assert.Single(entities);
        Assert.Equal("ZZQX", entity.Symbol);
        Assert.Null(entity.Exchange);
    }

    [Theory]
    [InlineData("NSE:RELIANCE breaks out", "NSE:RELIANCE", "RELIANCE", "NSE")]
    [InlineData("Buy (NSE: RELIANCE) on dips", "NSE: RELIANCE", "RELIANCE", "NSE")]
    [InlineData("BSE:500325 gaps up", "BSE:500325", "500325", "BSE")]
    [InlineData("RELIANCE.NS closes higher", "RELIANCE.NS", "RELIANCE", "NSE")]
    [InlineData("watch 500325.BO today", "500325.BO", "500325", "BSE")]
    [InlineData("NASDAQ:AAPL earnings", "NASDAQ:AAPL", "AAPL", "NASDAQ")]
    [InlineData("NYSE:IBM dips", "NYSE:IBM", "IBM", "NYSE")]
    public void Exchange_qualified_symbol_is_a_ticker_on_that_exchange(string text, string written, string symbol, string exchange)
    {
        var match = _extractor.Extract(text).First(m => m.Entity.Type == EntityType.Ticker);

        Assert.Equal(written, match.Entity.Text);
        Assert.Equal(symbol, match.Entity.Symbol);
        Assert.Equal(exchange, match.Entity.Exchange);
    }

    [Fact]
    public void Exchange_name_before_a_number_or_a_word_is_not_a_symbol()
    {
        Assert.DoesNotContain(Entities("Nasdaq: 2% lower, NYSE: The Big Board"), e => e.Type == EntityType.Ticker);
    }

    [Theory]
    [InlineData("Nifty ends higher", "NIFTY 50")]
    [InlineData("NIFTY 50 hits record", "NIFTY 50")]
    [InlineData("Nifty50 gains", "NIFTY 50")]
    [InlineData("sensex down 300 pts", "SENSEX")]
    [InlineData("SENSEX closes flat", "SENSEX")]
    [InlineData("BANKNIFTY weekly expiry", "NIFTY BANK")]
    [InlineData("Bank Nifty falls", "NIFTY BANK")]
    [InlineData("Nifty Bank slips", "NIFTY BANK")]
    [InlineData("NIFTY IT drags", "NIFTY IT")]
    [InlineData("FINNIFTY expiry today", "NIFTY FIN SERVICE")]
    [InlineData("S&P 500 record", "S&P 500")]
    [InlineData("S&P500 record", "S&P 500")]
    [InlineData("SPX futures up", "S&P 500")]
    [InlineData("Nasdaq rallies", "NASDAQ COMPOSITE")]
    [InlineData("Nasdaq Composite rallies", "NASDAQ COMPOSITE")]
    [InlineData("Nasdaq 100 rallies", "NASDAQ 100")]
    [InlineData("Dow sheds 400 points", "DOW JONES")]
    [InlineData("Dow Jones sheds 400 points", "DOW JONES")]
    [InlineData("DJIA sheds 400 points", "DOW JONES")]
    [InlineData("FTSE 100 flat", "FTSE 100")]
    [InlineData("Nikkei jumps", "NIKKEI 225")]
    [InlineData("Hang Seng slumps", "HANG SENG")]
    public void Index_spellings_give_the_canonical_index(string text, string canonical)
    {
        var entity = Assert.Single(Entities(text));

        Assert.Equal(EntityType.Index, entity.Type);
        Assert.Equal(canonical, entity.Symbol);
    }

    [Fact]
    public void Comma_separates_indices_that_would_otherwise_read_as_one()
    {
        var symbols = Entities("Nifty, Bank Nifty end lower").Select(e => e.Symbol);

        Assert.Equal(["NIFTY 50", "NIFTY BANK"], symbols);
    }

    [Theory]
    [InlineData("Reliance gains", "RELIANCE", "NSE")]
    [InlineData("RIL gains", "RELIANCE", "NSE")]
    [InlineData("Reliance Industries Limited gains", "RELIANCE", "NSE")]
    [InlineData("Reliance Power slumps", "RPOWER", "NSE")]
    [InlineData("Tata Consultancy Services wins deal", "TCS", "NSE")]
    [InlineData("Infosys guidance", "INFY", "NSE")]
    [InlineData("HDFC Bank results", "HDFCBANK", "NSE")]
    [InlineData("Titan slips", "TITAN", "NSE")]
    [InlineData("Adani Ports wins contract", "ADANIPORTS", "NSE")]
    [InlineData("Jio Financial rallies", "JIOFIN", "NSE")]
    [InlineData("Vodafone Idea raises funds", "IDEA", "NSE")]
    [InlineData("Apple unveils iPhone", "AAPL", "NASDAQ")]
    [InlineData("Alphabet beats", "GOOGL", "NASDAQ")]
    [InlineData("Google antitrust case", "GOOGL", "NASDAQ")]
    [InlineData("ServiceNow raises guidance", "NOW", "NYSE")]
    [InlineData("Rivian Automotive recalls vans", "RIVN", "NASDAQ")]
    [InlineData("Gap shares rise", "GAP", "NYSE")]
    [InlineData("Visa and peers", "V", "NYSE")]
    public void Company_names_and_aliases_map_to_their_symbol(string text, string symbol, string exchange)
    {
        var entity = Assert.Single(Entities(text), IsEquity);

        Assert.Equal(symbol, entity.Symbol);
        Assert.Equal(exchange, entity.Exchange);
    }

    [Fact]
    public void A_company_mentioned_several_ways_is_one_entity_with_every_span()
    {
        const string text = "Reliance rallies; RIL and $RELIANCE trend, NSE:RELIANCE volume spikes";

        var match = Assert.Single(_extractor.Extract(text));

        Assert.Equal("RELIANCE", match.Entity.Symbol);
        Assert.Equal((0, 8), (match.Start, match.Length));
        Assert.Equal(["Reliance", "RIL", "$RELIANCE", "NSE:RELIANCE"], match.Spans.Select(s => text.Substring(s.Start, s.Length)));
    }

    [Fact]
    public void Spans_point_at_the_text_as_written_in_text_order()
    {
        const string text = "Gold and USD/INR move as Bitcoin, Infosys and the Sensex slip";

        var matches = _extractor.Extract(text);

        Assert.Equal(["Gold", "USD/INR", "Bitcoin", "Infosys", "Sensex"], matches.Select(m => m.Entity.Text));
        Assert.All(matches, m => Assert.Equal(m.Entity.Text, text.Substring(m.Start, m.Length)));
        Assert.All(matches, m => Assert.Null(m.Entity.Sentiment));
    }

    [Theory]
    [InlineData("USD/INR at 86.2", "USD/INR")]
    [InlineData("USDINR at 86.2", "USD/INR")]
    [InlineData("EUR/USD below 1.08", "EUR/USD")]
    [InlineData("the rupee weakens", "INR")]
    [InlineData("dollar firms", "USD")]
    [InlineData("yen slides", "JPY")]
    [InlineData("euro gains", "EUR")]
    public void Currencies_and_pairs_are_recognised(string text, string symbol)
    {
        var entity = Assert.Single(Entities(text));

        Assert.Equal(EntityType.Currency, entity.Type);
        Assert.Equal(symbol, entity.Symbol);
    }

    [Theory]
    [InlineData("gold climbs", "GOLD")]
    [InlineData("silver slips", "SILVER")]
    [InlineData("crude rebounds", "CRUDE OIL")]
    [InlineData("Brent tops $80", "BRENT")]
    [InlineData("WTI slides", "WTI")]
    [InlineData("natural gas spikes", "NATURAL GAS")]
    [InlineData("copper at record", "COPPER")]
    public void Commodities_are_recognised(string text, string symbol)
    {
        var entity = Assert.Single(Entities(text));

        Assert.Equal(EntityType.Commodity, entity.Type);
        Assert.Equal(symbol, entity.Symbol);
    }

    [Theory]
    [InlineData("bitcoin breaks out", "BTC")]
    [InlineData("BTC breaks out", "BTC")]
    [InlineData("$BTC breaks out", "BTC")]
    [InlineData("ether rallies", "ETH")]
    [InlineData("ETH rallies", "ETH")]
    [InlineData("solana rallies", "SOL")]
    public void Crypto_assets_are_recognised(string text, string symbol)
    {
        var entity = Assert.Single(Entities(text));

        Assert.Equal(EntityType.Crypto, entity.Type);
        Assert.Equal(symbol, entity.Symbol);
    }

    [Theory]
    [InlineData("India GDP grows", "IN")]
    [InlineData("US yields rise", "US")]
    [InlineData("United States yields rise", "US")]
    [InlineData("China stimulus", "CN")]
    public void Countries_are_recognised(string text, string symbol)
    {
        Assert.Contains(Entities(text), e => e.Type == EntityType.Country && e.Symbol == symbol);
    }

    [Theory]
    [InlineData("IT stocks are ALL ON fire NOW")]
    [InlineData("Investors hold CASH as markets are ON edge")]
    [InlineData("The gap between target and visa fees widened")]
    [InlineData("Brokers raise target price on the stock")]
    [InlineData("we are all on it now, one more push")]
    public void Common_words_that_are_symbols_or_names_are_not_companies(string text)
    {
        Assert.DoesNotContain(Entities(text), IsEquity);
    }

    [Fact]
    public void Dow_is_the_index_not_dow_inc()
    {
        var entity = Assert.Single(Entities("Dow ends 200 points higher"));

        Assert.Equal(EntityType.Index, entity.Type);
    }

    [Fact]
    public void Bare_index_constituent_symbol_counts_in_mixed_case_text_but_not_in_a_shouted_headline()
    {
        Assert.Contains(Entities("ITC and TCS gain while others fall"), e => e.Symbol == "ITC");
        Assert.DoesNotContain(Entities("MARKETS SLIDE AS ITC FALLS AND BANKS DRAG"), e => e.Symbol == "ITC" && e.Type == EntityType.Ticker);
    }

    [Fact]
    public void Indian_company_with_a_us_adr_resolves_to_the_nse_listing()
    {
        var entity = Assert.Single(Entities("Infosys Limited raises guidance"));

        Assert.Equal(("INFY", "NSE"), (entity.Symbol, entity.Exchange));
    }
}
