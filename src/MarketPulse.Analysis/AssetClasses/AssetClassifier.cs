using MarketPulse.Analysis.Entities;

namespace MarketPulse.Analysis.AssetClasses;

/// <summary>
/// Decides which asset class a text is about, from its entities, its wording and its source.
/// Deterministic precedence, first rule that applies:
/// <list type="number">
/// <item>source <c>economic</c> (economic-calendar events): <see cref="AssetClass.Macro"/>;</item>
/// <item>any <see cref="EntityType.Company"/> or <see cref="EntityType.Ticker"/>: <see cref="AssetClass.Equity"/>;</item>
/// <item>otherwise the earliest signal in the text: a crypto, commodity, currency or index entity, or a
/// wording cue ("repo rate", "Fed", "yields", "bond" give Rates; "inflation", "GDP", "CPI", "payrolls" give
/// Macro; "crypto", "forex", "commodities" give their class). At the same position an entity beats wording.
/// The headline's subject comes first: "Sensex tanks after Fed rate hike" is Index, "RBI hikes repo rate;
/// Nifty falls" is Rates;</item>
/// <item>nothing recognised: <see cref="AssetClass.Equity"/> (general market news).</item>
/// </list>
/// Countries and people carry no asset class.
/// </summary>
public static class AssetClassifier
{
    private static readonly PhraseTrie<AssetClass> Cues = BuildCues();

    /// <summary>Classifies <paramref name="text"/>; <paramref name="entities"/> are those the extractor found in it, in text order.</summary>
    public static AssetClass Classify(string text, IReadOnlyList<Entity> entities, string? source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(entities);
        if (string.Equals(source, "economic", StringComparison.OrdinalIgnoreCase))
        {
            return AssetClass.Macro;
        }

        var earliest = int.MaxValue;
        AssetClass? chosen = null;
        foreach (var entity in entities)
        {
            AssetClass? assetClass = entity.Type switch
            {
                EntityType.Company or EntityType.Ticker => AssetClass.Equity,
                EntityType.Crypto => AssetClass.Crypto,
                EntityType.Commodity => AssetClass.Commodity,
                EntityType.Currency => AssetClass.Currency,
                EntityType.Index => AssetClass.Index,
                _ => null,
            };
            if (assetClass == AssetClass.Equity)
            {
                return AssetClass.Equity;
            }

            if (assetClass is null)
            {
                continue;
            }

            var position = text.IndexOf(entity.Text, StringComparison.Ordinal);
            position = position < 0 ? text.Length : position;
            if (position < earliest)
            {
                earliest = position;
                chosen = assetClass;
            }
        }

        var (cuePosition, cue) = FirstCue(text);
        if (cue is not null && cuePosition < earliest)
        {
            chosen = cue;
        }

        return chosen ?? AssetClass.Equity;
    }

    private static (int Position, AssetClass? Cue) FirstCue(string text)
    {
        var tokens = Tokenizer.Tokenize(text);
        for (var i = 0; i < tokens.Count; i++)
        {
            AssetClass? found = null;
            Cues.WalkFrom(text, tokens, i, null, (phrase, _) => found ??= phrase.Value);
            if (found is not null)
            {
                return (tokens[i].Start, found);
            }
        }

        return (int.MaxValue, null);
    }

    private static PhraseTrie<AssetClass> BuildCues()
    {
        var trie = new PhraseTrie<AssetClass>();
        void Add(AssetClass assetClass, params string[] phrases)
        {
            foreach (var phrase in phrases)
            {
                trie.Add(phrase, assetClass);
            }
        }

        Add(
            AssetClass.Rates,
            "repo rate", "reverse repo", "policy rate", "interest rate", "interest rates", "rate hike", "rate hikes",
            "rate cut", "rate cuts", "hikes rates", "cuts rates", "raises rates", "holds rates", "basis points", "bps",
            "yield", "yields", "bond", "bonds", "treasury", "treasuries", "gilt", "gilts", "G-Sec", "G-secs", "T-bill",
            "RBI", "Fed", "Federal Reserve", "FOMC", "ECB", "BoE", "Bank of England", "BoJ", "Bank of Japan", "MPC",
            "monetary policy", "CRR", "SLR", "Powell");
        Add(
            AssetClass.Macro,
            "inflation", "GDP", "CPI", "WPI", "PPI", "PMI", "unemployment", "jobless", "payrolls", "nonfarm", "non-farm",
            "retail sales", "industrial production", "IIP", "trade deficit", "current account", "fiscal deficit",
            "recession", "economy", "economic growth", "consumer confidence", "jobs report", "Union Budget", "tariffs",
            "trade war");
        Add(AssetClass.Crypto, "crypto", "cryptocurrency", "cryptocurrencies", "stablecoin", "stablecoins", "altcoin", "altcoins", "DeFi", "memecoin");
        Add(AssetClass.Currency, "forex", "FX", "currency", "currencies", "exchange rate");
        Add(AssetClass.Commodity, "commodity", "commodities", "OPEC", "MCX", "precious metals", "base metals");
        return trie;
    }
}
