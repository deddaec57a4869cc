using System.Text.RegularExpressions;

namespace MarketPulse.Analysis.Entities;

/// <summary>
/// Finds companies, tickers, indices, currencies, commodities, crypto assets, countries and central
/// bankers in a text without a language model. Recognises, in this order: exchange-qualified symbols
/// (<c>NSE:RELIANCE</c>, <c>RELIANCE.NS</c>, <c>500325.BO</c>, <c>NASDAQ:AAPL</c>), cashtags (<c>$AAPL</c>),
/// then the longest phrase of the catalog at each word. A bare word is a ticker only when it is an
/// all-caps index-constituent symbol that is not an ordinary word; company names must be capitalised.
/// Thread-safe.
/// </summary>
public sealed partial class EntityExtractor(SecurityCatalog catalog, EntityTagger? tagger = null)
{
    /// <summary>
    /// Entities of <paramref name="text"/>, one per symbol, in order of first mention: the catalogue's matches, then
    /// every further mention the trained tagger finds, linked through the catalogue and the alias list, typed by
    /// <see cref="EntityTypes"/>, and marked unlisted when a company matches no listing.
    /// </summary>
    /// <param name="states">The encoder's word pieces and output for the text, from the pass that gave its sentence vector, for a tagger that reads them (<see cref="EntityTagger.Context"/>).</param>
    public IReadOnlyList<EntityMatch> Extract(string text, Embeddings.TokenStates? states = null)
    {
        var known = CatalogMatches(text);
        if (tagger is null)
        {
            return known;
        }

        var tokens = EntityTagger.Tokenize(text);
        var spans = tagger.Find(text, tokens, Hints(text, tokens, known), states);
        // The tagger decides what is a mention; the catalogue links it. Catalogue matches the tagger does not
        // confirm survive only when they are explicit symbols (NSE:X, X.NS, $X).
        var result = new List<EntityMatch>();
        var used = new HashSet<EntityMatch>();
        foreach (var (start, found, _) in spans)
        {
            var length = WithPossessiveName(text, start, found, known);
            var mention = text.Substring(start, length);
            var overlap = known.FirstOrDefault(m => m.Spans.Any(s => s.Start < start + length && start < s.Start + s.Length));
            Entity entity;
            if (overlap is not null && overlap.Entity.Type is not (EntityType.Country or EntityType.Person) && EntityTypes.Of(mention) is var keyword
                && !(overlap.Entity.Type is EntityType.Company or EntityType.Ticker && keyword is EntityType.Sector or EntityType.Market or EntityType.Regulator or EntityType.Exchange))
            {
                used.Add(overlap);
                entity = overlap.Entity with { Text = mention };
            }
            else
            {
                entity = Link(mention);
            }

            if (result.Any(m => string.Equals(m.Entity.Text, mention, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            result.Add(new EntityMatch(entity, start, length, [(start, length)]));
        }

        foreach (var m in known)
        {
            if (!used.Contains(m) && m.Entity.Type == EntityType.Ticker && m.Entity.Text.Any(c => c is '$' or ':' or '.')
                && !result.Any(r => r.Start < m.Start + m.Length && m.Start < r.Start + r.Length))
            {
                result.Add(m);
            }
        }

        result.Sort((a, b) => a.Start.CompareTo(b.Start));
        return result;
    }

    /// <summary>
    /// The tagger's words stop before a possessive "'s" ("Sebi's" gives "Sebi"), but some names end in one ("Moody's",
    /// "Dr Reddy's"): when a catalogue match covers the "'s" after the mention, the mention keeps it.
    /// </summary>
    private static int WithPossessiveName(string text, int start, int length, IReadOnlyList<EntityMatch> known)
    {
        var end = start + length;
        if (end + 2 > text.Length || text[end] is not ('\'' or '\u2019') || text[end + 1] is not ('s' or 'S'))
        {
            return length;
        }

        return known.Any(m => m.Spans.Any(s => s.Start <= start && s.Start + s.Length >= end + 2)) ? length + 2 : length;
    }

    /// <summary>Per tagger token, the type of the catalogue entity that covers it (the tagger's catalogue feature), else null.</summary>
    public static string?[] Hints(string text, List<TaggerToken> tokens, IReadOnlyList<EntityMatch> known)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(known);
        var hints = new string?[tokens.Count];
        foreach (var m in known)
        {
            foreach (var (s, l) in m.Spans)
            {
                for (var i = 0; i < tokens.Count; i++)
                {
                    if (tokens[i].Start < s + l && s < tokens[i].End)
                    {
                        hints[i] = (tokens[i].Start == s ? "B" : "I") + m.Entity.Type;
                    }
                }
            }
        }

        return hints;
    }

    /// <summary>A mention the tagger found, linked: the alias list, then the catalogue over the whole mention, else typed by keywords.</summary>
    private Entity Link(string mention)
    {
        if (EntityAliases.TryGet(mention, out var alias))
        {
            return new Entity(EntityType.Company, mention, alias.Symbol, alias.Exchange);
        }

        var inner = CatalogMatches(mention);
        var type = EntityTypes.Of(mention);
        if (inner.Count == 1 && inner[0].Entity.Symbol is { } symbol && inner[0].Entity.Type is EntityType.Company or EntityType.Ticker
            && type is EntityType.Company && inner[0].Length * 2 >= mention.Length)
        {
            return new Entity(EntityType.Company, mention, symbol, inner[0].Entity.Exchange);
        }

        return new Entity(type, mention) { Unlisted = type == EntityType.Company };
    }

    /// <summary>The catalogue's entities of <paramref name="text"/> alone (no tagger).</summary>
    public IReadOnlyList<EntityMatch> CatalogMatches(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<(Entity Entity, int Start, int Length)>();
        var claimed = new List<(int Start, int End)>();
        FindSymbols(text, found, claimed);

        var tokens = Tokenizer.Tokenize(text);
        var blocked = claimed.Count == 0 ? null : BlockedTokens(tokens, claimed);
        var shouting = IsMostlyUpperCase(tokens);
        var i = 0;
        while (i < tokens.Count)
        {
            if (blocked is not null && blocked[i])
            {
                i++;
                continue;
            }

            PhraseTarget? best = null;
            var bestEnd = -1;
            catalog.Phrases.WalkFrom(text, tokens, i, blocked, (phrase, end) =>
            {
                var target = phrase.Value;
                if (shouting && target.Kind == PhraseKind.BareSymbol)
                {
                    return;
                }

                if (end > bestEnd || (end == bestEnd && best is not null && (target.Kind, target.Rank).CompareTo((best.Kind, best.Rank)) < 0))
                {
                    best = target;
                    bestEnd = end;
                }
            });

            if (best is null)
            {
                i++;
                continue;
            }

            if (best.Kind == PhraseKind.NotEntity)
            {
                i = bestEnd;
                continue;
            }

            var start = tokens[i].Start;
            var length = tokens[bestEnd - 1].End - start;
            found.Add((Resolve(best, text, start, length), start, length));
            i = bestEnd;
        }

        return Deduplicate(found);
    }

    /// <summary>
    /// The entity a matched phrase stands for; a name several companies answer to is resolved from the text's context
    /// (<see cref="MarketContext"/>), and stays unlinked (unlisted, no symbol) when the context does not decide.
    /// </summary>
    private static Entity Resolve(PhraseTarget target, string text, int start, int length)
    {
        var mention = text.Substring(start, length);
        if (target.Namesakes is not { } namesakes)
        {
            return new Entity(target.Type, mention, target.Symbol, target.Exchange);
        }

        var market = MarketContext.MarketOf(MarketContext.Of(text, start, length));
        var chosen = namesakes.FirstOrDefault(n => n.Market == market).Target;
        return chosen is null
            ? new Entity(EntityType.Company, mention) { Unlisted = true }
            : new Entity(chosen.Type, mention, chosen.Symbol, chosen.Exchange);
    }

    private void FindSymbols(string text, List<(Entity, int, int)> found, List<(int Start, int End)> claimed)
    {
        if (text.Contains(':', StringComparison.Ordinal) || text.Contains('.', StringComparison.Ordinal))
        {
            foreach (Match match in PrefixedSymbol().Matches(text))
            {
                var symbol = match.Groups["symbol"].Value.TrimEnd('.', '-', '&');
                var exchange = NormaliseExchange(match.Groups["exchange"].Value);
                if (!IsPlausibleSymbol(symbol, exchange))
                {
                    continue;
                }

                var length = match.Groups["symbol"].Index + symbol.Length - match.Index;
                found.Add((new Entity(EntityType.Ticker, text.Substring(match.Index, length), symbol, exchange), match.Index, length));
                claimed.Add((match.Index, match.Index + length));
            }

            foreach (Match match in SuffixedSymbol().Matches(text))
            {
                if (Overlaps(claimed, match.Index, match.Index + match.Length))
                {
                    continue;
                }

                var exchange = match.Groups["suffix"].Value is "NS" or "NSE" ? "NSE" : "BSE";
                found.Add((new Entity(EntityType.Ticker, match.Value, match.Groups["symbol"].Value, exchange), match.Index, match.Length));
                claimed.Add((match.Index, match.Index + match.Length));
            }
        }

        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return;
        }

        foreach (Match match in Cashtag().Matches(text))
        {
            var symbol = match.Groups["symbol"].Value.ToUpperInvariant();
            Entity entity;
            if (KnownEntities.CashtagSymbols.TryGetValue(symbol, out var known))
            {
                entity = new Entity(known.Type, match.Value, known.Symbol);
            }
            else if (KnownEntities.Crypto.FirstOrDefault(c => c.Symbol == symbol) is { Symbol: not null } coin)
            {
                entity = new Entity(EntityType.Crypto, match.Value, coin.Symbol);
            }
            else
            {
                entity = new Entity(EntityType.Ticker, match.Value, symbol, catalog.TryGetListing(symbol, out var exchange) ? exchange : null);
            }

            found.Add((entity, match.Index, match.Length));
            claimed.Add((match.Index, match.Index + match.Length));
        }
    }

    // BSE scrip codes are six digits; every other symbol has a letter ("Nasdaq: 2%" is not a symbol).
    private static bool IsPlausibleSymbol(string symbol, string exchange) =>
        symbol.Any(char.IsLetter) || (exchange == "BSE" && symbol.Length == 6);

    private static string NormaliseExchange(string exchange) => exchange.ToUpperInvariant() switch
    {
        "NYSEARCA" => "NYSE Arca",
        "NYSEAMERICAN" or "AMEX" => "NYSE American",
        var other => other,
    };

    private static bool Overlaps(List<(int Start, int End)> spans, int start, int end) =>
        spans.Exists(s => s.Start < end && start < s.End);

    private static bool[] BlockedTokens(List<Token> tokens, List<(int Start, int End)> claimed)
    {
        var blocked = new bool[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            blocked[i] = Overlaps(claimed, tokens[i].Start, tokens[i].End);
        }

        return blocked;
    }

    /// <summary>In an all-caps headline every word looks like a symbol, so bare symbols are not trusted there.</summary>
    private static bool IsMostlyUpperCase(List<Token> tokens)
    {
        var words = 0;
        var upper = 0;
        foreach (var token in tokens)
        {
            if (token.Shape is TokenShape.Other || token.Length < 2)
            {
                continue;
            }

            words++;
            if (token.Shape == TokenShape.Upper)
            {
                upper++;
            }
        }

        return words >= 3 && upper * 10 >= words * 6;
    }

    private static List<EntityMatch> Deduplicate(List<(Entity Entity, int Start, int Length)> found)
    {
        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var firsts = new List<(Entity Entity, int Start, int Length)>();
        var spans = new List<List<(int Start, int Length)>>();
        foreach (var (entity, start, length) in found)
        {
            var key = KeyOf(entity);
            if (byKey.TryGetValue(key, out var index))
            {
                spans[index].Add((start, length));
                continue;
            }

            byKey[key] = firsts.Count;
            firsts.Add((entity, start, length));
            spans.Add([(start, length)]);
        }

        var result = new List<EntityMatch>(firsts.Count);
        for (var i = 0; i < firsts.Count; i++)
        {
            result.Add(new EntityMatch(firsts[i].Entity, firsts[i].Start, firsts[i].Length, spans[i]));
        }

        return result;
    }

    // A company named in words and by its ticker is one entity; other kinds keep their own namespace ("IT" Italy vs NIFTY IT).
    private static string KeyOf(Entity entity) => entity.Type switch
    {
        EntityType.Company or EntityType.Ticker => "EQ:" + (entity.Symbol ?? entity.Text).ToUpperInvariant(),
        _ => entity.Type + ":" + (entity.Symbol ?? entity.Text).ToUpperInvariant(),
    };

    [GeneratedRegex(@"(?<![\w$])\$(?<symbol>[A-Za-z][A-Za-z0-9]{0,9}(?:[.\-][A-Za-z]{1,2})?)(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex Cashtag();

    [GeneratedRegex(@"(?<![\w])(?<exchange>NSE|BSE|NASDAQ|NYSE|NYSEARCA|NYSEAMERICAN|AMEX|Nasdaq|Nse|Bse)\s?:\s?(?<symbol>[A-Z0-9][A-Z0-9&\-\.]{0,19})(?![a-z])", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixedSymbol();

    [GeneratedRegex(@"(?<![\w.])(?<symbol>[A-Z0-9][A-Z0-9&\-]{0,19})\.(?<suffix>NS|BO|NSE|BSE)(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex SuffixedSymbol();
}
