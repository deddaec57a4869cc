using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPulse.Analysis.Entities;

/// <summary>
/// What <see cref="EntityExtractor"/> can recognise: the hand-written dictionaries (indices, currencies,
/// commodities, crypto, countries, common company aliases) plus the companies and symbols of the
/// securities reference lists found in a folder (NSE equity list, NIFTY constituent lists, S&amp;P 500,
/// Nasdaq symbol directory). Immutable and thread-safe once loaded; load one per process.
/// </summary>
public sealed class SecurityCatalog
{
    private const string NseEquityFile = "nse_equity_list.csv";
    private const string Sp500File = "sp500_constituents.csv";
    private const string NasdaqListedFile = "nasdaqlisted.txt";
    private const string OtherListedFile = "otherlisted.txt";
    private const string NiftyListPattern = "ind_*.csv";

    private static readonly Lazy<SecurityCatalog> EmptyCatalog = new(() => new SecurityCatalog(new Listings()));

    private readonly Dictionary<string, Listing> _symbols;

    private SecurityCatalog(Listings listings)
    {
        _symbols = listings.BySymbol;
        SecurityCount = listings.BySymbol.Count;
        Phrases = PhraseIndexBuilder.Build(listings);
    }

    /// <summary>A catalog without reference lists: cashtags, qualified symbols, indices, pairs, commodities, crypto, countries and the built-in company aliases still work.</summary>
    public static SecurityCatalog Empty => EmptyCatalog.Value;

    /// <summary>Number of distinct symbols loaded from the reference lists.</summary>
    public int SecurityCount { get; }

    /// <summary>Number of phrases (names, aliases, spellings, symbols) the extractor matches.</summary>
    public int PhraseCount => Phrases.Count;

    internal PhraseTrie<PhraseTarget> Phrases { get; }

    /// <summary>
    /// Loads the reference lists of <paramref name="folder"/> (files as their publishers name them; any may be missing).
    /// An absent or empty folder gives a catalog without lists and one warning.
    /// </summary>
    public static SecurityCatalog Load(string? folder, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            EntitiesLog.ReferenceFolderMissing(logger, folder ?? "(none)");
            return Empty;
        }

        var stopwatch = Stopwatch.StartNew();
        var listings = new Listings();
        var files = 0;
        files += ReadNse(folder, listings, logger);
        files += ReadUs(folder, listings, logger);
        if (files == 0)
        {
            EntitiesLog.ReferenceFolderEmpty(logger, folder);
            return Empty;
        }

        var catalog = new SecurityCatalog(listings);
        EntitiesLog.CatalogLoaded(logger, catalog.SecurityCount, catalog.PhraseCount, files, stopwatch.ElapsedMilliseconds, folder);
        return catalog;
    }

    /// <summary>Looks up a symbol as written in a cashtag or after an exchange prefix.</summary>
    public bool TryGetListing(string symbol, out string exchange)
    {
        if (_symbols.TryGetValue(symbol, out var listing))
        {
            exchange = listing.Exchange;
            return true;
        }

        exchange = "";
        return false;
    }

    private static int ReadNse(string folder, Listings listings, ILogger logger)
    {
        var files = 0;
        // Index constituents first: they are the well-known names (tier 1), the full equity list adds the rest.
        foreach (var path in Directory.EnumerateFiles(folder, NiftyListPattern).Order(StringComparer.Ordinal))
        {
            files += Read(path, logger, () =>
            {
                foreach (var row in ReferenceFiles.ReadRows(path, ','))
                {
                    listings.Add(row("Symbol"), "NSE", "NSE", row("Company Name"), tier: 1, equity: true);
                }
            });
        }

        var equityPath = Path.Combine(folder, NseEquityFile);
        if (File.Exists(equityPath))
        {
            files += Read(equityPath, logger, () =>
            {
                foreach (var row in ReferenceFiles.ReadRows(equityPath, ','))
                {
                    listings.Add(row("SYMBOL"), "NSE", "NSE", row("NAME OF COMPANY"), tier: 2, equity: true);
                }
            });
        }

        return files;
    }

    private static int ReadUs(string folder, Listings listings, ILogger logger)
    {
        var files = 0;
        var exchanges = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var nasdaqPath = Path.Combine(folder, NasdaqListedFile);
        if (File.Exists(nasdaqPath))
        {
            files += Read(nasdaqPath, logger, () =>
            {
                foreach (var row in ReferenceFiles.ReadRows(nasdaqPath, '|'))
                {
                    if (row("Test Issue") != "Y")
                    {
                        exchanges.TryAdd(row("Symbol"), "NASDAQ");
                    }
                }
            });
        }

        var otherPath = Path.Combine(folder, OtherListedFile);
        if (File.Exists(otherPath))
        {
            files += Read(otherPath, logger, () =>
            {
                foreach (var row in ReferenceFiles.ReadRows(otherPath, '|'))
                {
                    if (row("Test Issue") != "Y")
                    {
                        exchanges.TryAdd(row("ACT Symbol"), OtherListedExchange(row("Exchange")));
                    }
                }
            });
        }

        // The S&P 500 names are the short, well-known ones ("Apple Inc.", "IBM"): tier 1, read before the directory.
        var spPath = Path.Combine(folder, Sp500File);
        if (File.Exists(spPath))
        {
            files += Read(spPath, logger, () =>
            {
                foreach (var row in ReferenceFiles.ReadRows(spPath, ','))
                {
                    var symbol = row("Symbol");
                    var exchange = exchanges.GetValueOrDefault(symbol) ?? exchanges.GetValueOrDefault(symbol.Replace('.', '-')) ?? "NYSE";
                    listings.Add(symbol, "US", exchange, row("Security"), tier: 1, equity: true);
                }
            });
        }

        if (File.Exists(nasdaqPath))
        {
            foreach (var row in ReferenceFiles.ReadRows(nasdaqPath, '|'))
            {
                AddDirectoryRow(listings, row("Symbol"), "NASDAQ", row("Security Name"), row("Test Issue"), row("ETF"));
            }
        }

        if (File.Exists(otherPath))
        {
            foreach (var row in ReferenceFiles.ReadRows(otherPath, '|'))
            {
                AddDirectoryRow(listings, row("ACT Symbol"), OtherListedExchange(row("Exchange")), row("Security Name"), row("Test Issue"), row("ETF"));
            }
        }

        return files;
    }

    private static void AddDirectoryRow(Listings listings, string symbol, string exchange, string name, string testIssue, string etf)
    {
        if (testIssue == "Y")
        {
            return;
        }

        listings.Add(symbol, "US", exchange, name, tier: 3, equity: etf != "Y" && CompanyNames.LooksLikeEquity(name));
    }

    private static string OtherListedExchange(string code) => code switch
    {
        "N" => "NYSE",
        "A" => "NYSE American",
        "P" => "NYSE Arca",
        "Z" => "BATS",
        "V" => "IEX",
        _ => "NYSE",
    };

    private static int Read(string path, ILogger logger, Action read)
    {
        try
        {
            read();
            return 1;
        }
        catch (IOException exception)
        {
            EntitiesLog.ReferenceFileUnreadable(logger, exception, path);
            return 0;
        }
        catch (UnauthorizedAccessException exception)
        {
            EntitiesLog.ReferenceFileUnreadable(logger, exception, path);
            return 0;
        }
    }
}

/// <summary>One listed security. <see cref="Tier"/>: 1 index constituent, 2 other NSE listing, 3 other US listing.</summary>
internal sealed record Listing(string Symbol, string Market, string Exchange, string Name, int Tier, bool Equity, int Order)
{
    public string CompanyKey => Market + ":" + Symbol;
}

/// <summary>Listings gathered while loading, keyed by symbol and by company.</summary>
internal sealed class Listings
{
    public Dictionary<string, Listing> BySymbol { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every (listing, name) pair, for name aliases; the same company may come from several files.</summary>
    public List<Listing> Named { get; } = [];

    private readonly HashSet<string> _named = new(StringComparer.OrdinalIgnoreCase);

    public void Add(string symbol, string market, string exchange, string name, int tier, bool equity)
    {
        if (symbol.Length == 0)
        {
            return;
        }

        var listing = new Listing(symbol.ToUpperInvariant(), market, exchange, name, tier, equity, Named.Count);
        if (!BySymbol.TryGetValue(listing.Symbol, out var existing) || existing.Tier > tier)
        {
            BySymbol[listing.Symbol] = listing;
        }

        // The same company comes from several NIFTY lists; its name is indexed once.
        if (equity && name.Length > 0 && _named.Add(market + ":" + listing.Symbol + ":" + name))
        {
            Named.Add(listing);
        }
    }
}
