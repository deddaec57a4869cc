namespace MarketPulse.Analysis.Entities;

/// <summary>How a phrase was obtained; lower wins when two phrases cover the same words.</summary>
internal enum PhraseKind
{
    /// <summary>A phrase that is no entity ("target price"): it consumes its words so no shorter phrase matches them.</summary>
    NotEntity = -1,

    /// <summary>Hand-written index, currency, commodity, crypto, country or person spelling.</summary>
    Known = 0,

    /// <summary>Hand-written company alias (RIL, Apple, HDFC Bank).</summary>
    CompanyAlias = 1,

    /// <summary>A legal name from a list, with or without its legal suffix.</summary>
    CompanyName = 2,

    /// <summary>The leading words of a legal name, when no other company shares them.</summary>
    CompanyPrefix = 3,

    /// <summary>An all-caps symbol written without cashtag or exchange: only index-constituent symbols, never stop-listed words.</summary>
    BareSymbol = 4,
}

/// <summary>What a matched phrase stands for. <see cref="Rank"/> orders candidates for the same words (lower wins).</summary>
internal sealed record PhraseTarget(EntityType Type, string Symbol, string? Exchange, PhraseKind Kind, int Rank)
{
    /// <summary>
    /// For a company name that several companies answer to, the best listing per catalogue market (<c>NSE</c>,
    /// <c>US</c>), this target's included; null when the name is one company's. <see cref="MarketContext"/> chooses, and
    /// a text whose context names no market, or another one, leaves the name unlinked.
    /// </summary>
    public IReadOnlyList<(string Market, PhraseTarget Target)>? Namesakes { get; init; }

    /// <summary>The catalogue market of this target's listing.</summary>
    public string Market => Exchange == "NSE" ? "NSE" : "US";
}

/// <summary>Builds the phrase trie from the hand-written dictionaries and the loaded listings.</summary>
internal static class PhraseIndexBuilder
{
    public static PhraseTrie<PhraseTarget> Build(Listings listings)
    {
        var trie = new PhraseTrie<PhraseTarget>();
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        AddKnown(trie, taken, KnownEntities.Indices.Select(i => (i.Canonical, i.Spellings)), EntityType.Index);
        AddKnown(trie, taken, KnownEntities.Currencies, EntityType.Currency);
        AddKnown(trie, taken, KnownEntities.Commodities, EntityType.Commodity);
        AddKnown(trie, taken, KnownEntities.Crypto, EntityType.Crypto);
        AddKnown(trie, taken, KnownEntities.Countries, EntityType.Country);
        AddKnown(trie, taken, KnownEntities.People, EntityType.Person);
        foreach (var phrase in KnownEntities.NotEntities)
        {
            Add(trie, taken, phrase, new PhraseTarget(EntityType.Company, "", null, PhraseKind.NotEntity, 0));
        }

        AddCurrencyPairs(trie, taken);
        foreach (var code in KnownEntities.BareCurrencyCodes)
        {
            Add(trie, taken, code, new PhraseTarget(EntityType.Currency, code, null, PhraseKind.Known, 0));
        }

        foreach (var (alias, market, symbol, defaultExchange) in KnownEntities.CompanyAliases)
        {
            var exchange = listings.BySymbol.TryGetValue(symbol, out var listing) && listing.Market == market ? listing.Exchange : defaultExchange;
            Add(trie, taken, alias, new PhraseTarget(EntityType.Company, symbol, exchange, PhraseKind.CompanyAlias, 0));
        }

        AddCompanyNames(trie, taken, listings);
        AddBareSymbols(trie, taken, listings);
        return trie;
    }

    private static void AddKnown(PhraseTrie<PhraseTarget> trie, HashSet<string> taken, IEnumerable<(string Symbol, string[] Spellings)> entries, EntityType type)
    {
        foreach (var (symbol, spellings) in entries)
        {
            foreach (var spelling in spellings)
            {
                Add(trie, taken, spelling, new PhraseTarget(type, symbol, null, PhraseKind.Known, 0));
            }
        }
    }

    private static void AddCurrencyPairs(PhraseTrie<PhraseTarget> trie, HashSet<string> taken)
    {
        foreach (var left in KnownEntities.PairCurrencies)
        {
            foreach (var right in KnownEntities.PairCurrencies)
            {
                if (left == right)
                {
                    continue;
                }

                var target = new PhraseTarget(EntityType.Currency, left + "/" + right, null, PhraseKind.Known, 0);
                Add(trie, taken, left + "/" + right, target);
                Add(trie, taken, left + right, target);
                Add(trie, taken, left + " " + right, target);
            }
        }
    }

    private static void AddCompanyNames(PhraseTrie<PhraseTarget> trie, HashSet<string> taken, Listings listings)
    {
        // alias key -> candidates; a key shared by several companies is kept only for an exact name.
        var candidates = new Dictionary<string, List<(Listing Listing, string Alias, PhraseKind Kind)>>(StringComparer.OrdinalIgnoreCase);
        void Candidate(Listing listing, string alias, PhraseKind kind)
        {
            var key = Key(alias);
            if (key.Length == 0 || taken.Contains(key) || KnownEntities.BlockedAliases.Contains(key))
            {
                return;
            }

            var compact = key.Replace(" ", "", StringComparison.Ordinal);
            if (KnownEntities.SingleWordNameStopList.Contains(compact) || KnownEntities.BareSymbolStopList.Contains(compact))
            {
                return;
            }

            // One word is a company only when it is distinctive: "On" (On Holding) and "Sri" are not.
            if (!key.Contains(' ', StringComparison.Ordinal) && key.Length < (kind == PhraseKind.CompanyPrefix ? 4 : 3))
            {
                return;
            }

            if (!candidates.TryGetValue(key, out var list))
            {
                candidates[key] = list = [];
            }

            list.Add((listing, alias, kind));
        }

        foreach (var listing in listings.Named)
        {
            CompanyNames.Clean(listing.Name, out var fullName, out var shortName);
            Candidate(listing, fullName, PhraseKind.CompanyName);
            Candidate(listing, shortName, PhraseKind.CompanyName);
            // Leading words only for the well-known (index) names: the full directories are thousands of
            // small issuers whose first words ("Smart", "Nova") would be noise.
            if (listing.Tier == 1)
            {
                foreach (var prefix in CompanyNames.Prefixes(shortName))
                {
                    Candidate(listing, prefix, PhraseKind.CompanyPrefix);
                }
            }
        }

        // A company target, with the exchange of the listing its symbol resolves to on that market.
        PhraseTarget Target(Listing named, PhraseKind kind)
        {
            var listing = listings.BySymbol.TryGetValue(named.Symbol, out var current) && current.Market == named.Market ? current : named;
            return new PhraseTarget(EntityType.Company, listing.Symbol, listing.Exchange, kind, named.Tier);
        }

        foreach (var (key, list) in candidates)
        {
            var exact = list.Where(c => c.Kind == PhraseKind.CompanyName).ToList();
            if (exact.Count == 0 && list.Select(c => c.Listing.CompanyKey).Distinct(StringComparer.Ordinal).Count() > 1)
            {
                continue;
            }

            var best = (exact.Count > 0 ? exact : list).MinBy(c => (c.Listing.Tier, c.Listing.Order));
            var target = Target(best.Listing, best.Kind);
            // The same name as the legal name of companies on different markets (Pfizer Ltd, Pfizer Inc): each
            // market's best is kept, and the text's context chooses (MarketContext).
            // A depositary receipt (Infosys ADS on NYSE) is the same company, not a namesake: its home listing wins.
            var markets = exact.Where(c => !IsDepositary(c.Listing.Name)).GroupBy(c => c.Listing.Market, StringComparer.Ordinal).ToList();
            if (markets.Count > 1)
            {
                target = target with
                {
                    Namesakes = [.. markets.Select(m => m.MinBy(c => (c.Listing.Tier, c.Listing.Order)))
                        .Select(c => c.Listing.Market == best.Listing.Market ? (best.Listing.Market, target) : (c.Listing.Market, Target(c.Listing, c.Kind)))],
                };
            }

            if (KnownEntities.ForeignNamesakes.Contains(best.Alias) || KnownEntities.ForeignNamesakes.Contains(key))
            {
                // Also a company on none of the loaded markets (Siemens AG): only context pointing at this listing's market links it.
                target = target with { Namesakes = target.Namesakes ?? [(target.Market, target)] };
            }

            var allCaps = IsAllCaps(best.Alias);
            trie.Add(best.Alias, target, (token, word) => NameRule(token, word, allCaps));
        }
    }

    private static void AddBareSymbols(PhraseTrie<PhraseTarget> trie, HashSet<string> taken, Listings listings)
    {
        foreach (var listing in listings.BySymbol.Values)
        {
            var symbol = listing.Symbol;
            if (listing.Tier != 1 || symbol.Length < 3 || !symbol.Any(char.IsLetter) || taken.Contains(symbol)
                || KnownEntities.BareSymbolStopList.Contains(symbol) || symbol.Contains('.', StringComparison.Ordinal))
            {
                continue;
            }

            trie.Add(
                symbol,
                new PhraseTarget(EntityType.Ticker, symbol, listing.Exchange, PhraseKind.BareSymbol, listing.Tier),
                static (token, _) => token.Shape == TokenShape.Other ? CaseRule.Any : CaseRule.Upper);
        }
    }

    private static void Add(PhraseTrie<PhraseTarget> trie, HashSet<string> taken, string phrase, PhraseTarget target)
    {
        trie.Add(phrase, target);
        taken.Add(Key(phrase));
    }

    /// <summary>Names from all-caps lists ("TATA CONSUMER PRODUCTS") only demand capitals; in mixed-case names short acronyms stay upper ("HDFC Bank").</summary>
    private static CaseRule NameRule(Token token, string word, bool allCapsName) => token.Shape switch
    {
        TokenShape.Upper when !allCapsName && word.Length <= 4 => CaseRule.Upper,
        TokenShape.Upper or TokenShape.Capitalised => CaseRule.Capitalised,
        _ => CaseRule.Any,
    };

    private static bool IsDepositary(string name) =>
        name.Contains("Depositary", StringComparison.OrdinalIgnoreCase) || name.Contains("Depository", StringComparison.OrdinalIgnoreCase)
        || name.Contains(" ADR", StringComparison.Ordinal) || name.Contains(" ADS", StringComparison.Ordinal);

    private static bool IsAllCaps(string name) => name.Any(char.IsLetter) && !name.Any(char.IsLower);

    /// <summary>The words of a phrase as the trie sees them, upper-cased and space-joined.</summary>
    public static string Key(string phrase)
    {
        var tokens = Tokenizer.Tokenize(phrase);
        return string.Join(' ', tokens.Select(t => phrase.Substring(t.Start, t.Length).ToUpperInvariant()));
    }
}
