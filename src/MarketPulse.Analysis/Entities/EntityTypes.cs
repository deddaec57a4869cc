namespace MarketPulse.Analysis.Entities;

/// <summary>
/// The type of a recognised mention the catalogue does not know, from keyword lists (regulator, exchange, sector,
/// commodity, currency, rates, market or region); a capitalised name that none of them fits is a company. The
/// same lists give the tagger its lexicon feature.
/// </summary>
public static class EntityTypes
{
    private static readonly Dictionary<string, EntityType> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sebi"] = EntityType.Regulator, ["rbi"] = EntityType.Regulator, ["fed"] = EntityType.Regulator, ["irdai"] = EntityType.Regulator,
        ["irda"] = EntityType.Regulator, ["trai"] = EntityType.Regulator, ["cci"] = EntityType.Regulator, ["pfrda"] = EntityType.Regulator,
        ["fmc"] = EntityType.Regulator, ["ecb"] = EntityType.Regulator, ["sec"] = EntityType.Regulator, ["cbdt"] = EntityType.Regulator,
        ["government"] = EntityType.Regulator, ["govt"] = EntityType.Regulator, ["finance ministry"] = EntityType.Regulator,
        ["bse"] = EntityType.Exchange, ["nse"] = EntityType.Exchange, ["nsel"] = EntityType.Exchange, ["ncdex"] = EntityType.Exchange,
        ["mcx"] = EntityType.Exchange, ["mcx-sx"] = EntityType.Exchange, ["nyse"] = EntityType.Exchange, ["lme"] = EntityType.Exchange,
        ["stocks"] = EntityType.Sector, ["shares"] = EntityType.Sector, ["sector"] = EntityType.Sector, ["banks"] = EntityType.Sector,
        ["midcaps"] = EntityType.Sector, ["smallcaps"] = EntityType.Sector, ["fmcg"] = EntityType.Sector, ["psu"] = EntityType.Sector,
        ["pharma"] = EntityType.Sector, ["realty"] = EntityType.Sector, ["auto"] = EntityType.Sector, ["metal"] = EntityType.Sector,
        ["it"] = EntityType.Sector, ["cement"] = EntityType.Sector, ["telecom"] = EntityType.Sector, ["infra"] = EntityType.Sector,
        ["gold"] = EntityType.Commodity, ["silver"] = EntityType.Commodity, ["crude"] = EntityType.Commodity, ["oil"] = EntityType.Commodity,
        ["cardamom"] = EntityType.Commodity, ["sugar"] = EntityType.Commodity, ["gur"] = EntityType.Commodity, ["barley"] = EntityType.Commodity,
        ["soda"] = EntityType.Commodity, ["copper"] = EntityType.Commodity, ["zinc"] = EntityType.Commodity, ["wheat"] = EntityType.Commodity,
        ["chana"] = EntityType.Commodity, ["soybean"] = EntityType.Commodity, ["jeera"] = EntityType.Commodity, ["turmeric"] = EntityType.Commodity,
        ["cotton"] = EntityType.Commodity, ["guar"] = EntityType.Commodity, ["pepper"] = EntityType.Commodity, ["mentha"] = EntityType.Commodity,
        ["aluminium"] = EntityType.Commodity, ["nickel"] = EntityType.Commodity, ["lead"] = EntityType.Commodity, ["coriander"] = EntityType.Commodity,
        ["futures"] = EntityType.Commodity, ["potato"] = EntityType.Commodity, ["rubber"] = EntityType.Commodity, ["natural gas"] = EntityType.Commodity,
        ["rupee"] = EntityType.Currency, ["dollar"] = EntityType.Currency, ["euro"] = EntityType.Currency, ["yen"] = EntityType.Currency,
        ["yuan"] = EntityType.Currency, ["pound"] = EntityType.Currency, ["forex"] = EntityType.Currency,
        ["bond"] = EntityType.Rates, ["bonds"] = EntityType.Rates, ["yield"] = EntityType.Rates, ["yields"] = EntityType.Rates,
        ["gilts"] = EntityType.Rates, ["g-secs"] = EntityType.Rates, ["call rates"] = EntityType.Rates, ["rates"] = EntityType.Rates,
        ["markets"] = EntityType.Market, ["market"] = EntityType.Market, ["wall street"] = EntityType.Market, ["dalal street"] = EntityType.Market,
        ["asia"] = EntityType.Market, ["asian"] = EntityType.Market, ["european"] = EntityType.Market, ["europe"] = EntityType.Market,
        ["global"] = EntityType.Market, ["street"] = EntityType.Market, ["bourses"] = EntityType.Market,
    };

    /// <summary>The lexicon class of a lower-case word, or null.</summary>
    public static string? LexiconHint(string lower) => Words.TryGetValue(lower, out var type) ? type.ToString() : null;

    /// <summary>
    /// The type of a mention found by the tagger. Phrase rules first (a regulator or exchange name anywhere,
    /// "X stocks"/"X sector" a sector, "Asian shares" a market, "10-year bond" rates), then the last word's class.
    /// </summary>
    public static EntityType Of(string mention)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var lower = mention.Trim().ToLowerInvariant();
        if (Words.TryGetValue(lower, out var whole))
        {
            return whole;
        }

        var words = lower.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return EntityType.Other;
        }

        var last = words[^1];
        var firstType = Words.TryGetValue(words[0], out var f) ? f : (EntityType?)null;
        if (last is "shares" or "stocks" or "equities" or "markets" or "market" && firstType == EntityType.Market)
        {
            return EntityType.Market;
        }

        if (Words.TryGetValue(last, out var type) && type != EntityType.Market)
        {
            // "Jet Airways shares" stays a company only when the head is a name; "IT stocks" is a sector.
            if (type == EntityType.Sector && last is "shares" or "stocks" && words.Length > 1 && firstType is null && char.IsUpper(mention.Trim()[0]) && !IsAllCaps(mention.Split(' ')[0]))
            {
                return EntityType.Company;
            }

            return type;
        }

        if (last is "market" or "markets" or "street")
        {
            return EntityType.Market;
        }

        return char.IsUpper(mention.TrimStart()[0]) || char.IsDigit(mention.TrimStart()[0]) ? EntityType.Company : EntityType.Other;
    }

    private static bool IsAllCaps(string word) => word.Length > 1 && word.All(c => !char.IsLetter(c) || char.IsUpper(c));
}
