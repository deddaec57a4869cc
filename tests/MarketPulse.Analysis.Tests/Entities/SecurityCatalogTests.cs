using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Tests.Entities.TestData;
using Microsoft.Extensions.Logging;

namespace MarketPulse.Analysis.Tests.Entities;

public sealed class SecurityCatalogTests
{
    private const string Headline = "$TSLA rips, USD/INR at 86, Nifty and Sensex up, gold and bitcoin firm, NSE:RELIANCE flat";

    [Fact]
    public void Absent_folder_gives_one_warning_and_still_finds_symbols_pairs_indices_commodities_and_crypto()
    {
        var logger = new RecordingLogger();
        var catalog = SecurityCatalog.Load(Path.Combine(Path.GetTempPath(), "marketpulse-missing-" + Guid.NewGuid().ToString("N")), logger);

        var symbols = new EntityExtractor(catalog).Extract(Headline).Select(m => (m.Entity.Type, m.Entity.Symbol)).ToList();

        Assert.Equal(LogLevel.Warning, Assert.Single(logger.Levels));
        Assert.Equal(0, catalog.SecurityCount);
        Assert.Equal(
            [
                (EntityType.Ticker, "TSLA"), (EntityType.Currency, "USD/INR"), (EntityType.Index, "NIFTY 50"),
                (EntityType.Index, "SENSEX"), (EntityType.Commodity, "GOLD"), (EntityType.Crypto, "BTC"),
                (EntityType.Ticker, "RELIANCE"),
            ],
            symbols);
    }

    [Fact]
    public void Empty_folder_warns_and_behaves_like_the_empty_catalog()
    {
        var folder = Directory.CreateTempSubdirectory("marketpulse-empty-").FullName;
        try
        {
            var logger = new RecordingLogger();

            var catalog = SecurityCatalog.Load(folder, logger);

            Assert.Same(SecurityCatalog.Empty, catalog);
            Assert.Equal(LogLevel.Warning, Assert.Single(logger.Levels));
            Assert.Contains(new EntityExtractor(catalog).Extract("Apple and Nifty"), m => m.Entity.Symbol == "AAPL");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Lists_load_with_footers_test_issues_and_exchange_codes_handled()
    {
        var folder = Path.Combine(Path.GetTempPath(), "marketpulse-securities-" + Guid.NewGuid().ToString("N"));
        ReferenceLists.WriteTo(folder);
        try
        {
            var logger = new RecordingLogger();

            var catalog = SecurityCatalog.Load(folder, logger);

            Assert.DoesNotContain(LogLevel.Warning, logger.Levels);
            Assert.True(catalog.TryGetListing("GAP", out var gap));
            Assert.Equal("NYSE", gap);
            Assert.True(catalog.TryGetListing("SPY", out var spy));
            Assert.Equal("NYSE Arca", spy);
            Assert.True(catalog.TryGetListing("RELIANCE", out var reliance));
            Assert.Equal("NSE", reliance);
            Assert.False(catalog.TryGetListing("ZXZZT", out _));
            Assert.False(catalog.TryGetListing("File Creation Time: 0303202606:00", out _));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Without_lists_the_built_in_company_aliases_keep_their_default_exchange()
    {
        var entity = Assert.Single(new EntityExtractor(SecurityCatalog.Empty).Extract("Reliance and Jio"));

        Assert.Equal(new Entity(EntityType.Company, "Reliance", "RELIANCE", "NSE"), entity.Entity);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }
}
