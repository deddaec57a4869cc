namespace MarketPulse.Analysis.Entities;

/// <summary>Turns legal security names into the names text uses.</summary>
internal static class CompanyNames
{
    // Security descriptions the Nasdaq directory appends to a company's name.
    private static readonly string[][] SecurityDescriptors =
    [
        ["american", "depositary", "shares"], ["american", "depository", "shares"], ["american", "depositary", "share"],
        ["common", "stock"], ["common", "shares"], ["ordinary", "shares"], ["capital", "stock"], ["common", "units"],
        ["sponsored"], ["ads"], ["adr"], ["new"], ["shares"], ["each", "representing"],
        ["class", "a"], ["class", "b"], ["class", "c"], ["series", "a"], ["series", "b"],
    ];

    private static readonly HashSet<string> LegalSuffixes = new(StringComparer.OrdinalIgnoreCase)
    {
        "limited", "ltd", "inc", "incorporated", "corporation", "corp", "co", "company", "plc", "llc", "lp", "l.p",
        "nv", "n.v", "sa", "s.a", "ag", "se", "holdings", "holding", "group", "the", "&", "and", "of",
    };

    private static readonly HashSet<string> Connectors = new(StringComparer.OrdinalIgnoreCase) { "and", "&", "of", "the", "de", "for" };

    /// <summary>Words in a name that say it is not a company's stock: warrants, rights, units, notes, funds.</summary>
    private static readonly string[] NotEquityMarkers =
    [
        " warrant", " right", " rights", " unit", " units", " preferred", " notes", " debenture", "%", " etf", " etn",
        " fund", " acquisition corp", " depositary shares representing", " perpetual", " subordinated", " trust preferred",
    ];

    public static bool LooksLikeEquity(string securityName)
    {
        var lower = " " + securityName.ToLowerInvariant();
        foreach (var marker in NotEquityMarkers)
        {
            if (lower.Contains(marker, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// "Apple Inc. - Common Stock" gives "Apple Inc." (<paramref name="fullName"/>) and "Apple" (<paramref name="shortName"/>);
    /// "Gap, Inc. (The) Common Stock" gives "Gap"; "Reliance Industries Limited" gives "Reliance Industries".
    /// </summary>
    public static void Clean(string securityName, out string fullName, out string shortName)
    {
        var name = securityName;
        var dash = name.IndexOf(" - ", StringComparison.Ordinal);
        if (dash > 0)
        {
            name = name[..dash];
        }

        name = RemoveParentheses(name);
        var words = name.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).ToList();
        StripTrailing(words, descriptorsOnly: true);
        fullName = string.Join(' ', words);
        StripTrailing(words, descriptorsOnly: false);
        while (words.Count > 1 && string.Equals(words[0], "The", StringComparison.OrdinalIgnoreCase))
        {
            words.RemoveAt(0);
        }

        shortName = string.Join(' ', words);
    }

    /// <summary>Leading word sequences of a name, shortest first, that do not end on a connector ("Adani Ports" of "Adani Ports and Special Economic Zone").</summary>
    public static IEnumerable<string> Prefixes(string shortName)
    {
        var words = shortName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var k = 1; k < words.Length; k++)
        {
            if (!Connectors.Contains(words[k - 1]))
            {
                yield return string.Join(' ', words, 0, k);
            }
        }
    }

    private static void StripTrailing(List<string> words, bool descriptorsOnly)
    {
        var changed = true;
        while (changed && words.Count > 1)
        {
            changed = false;
            foreach (var descriptor in SecurityDescriptors)
            {
                if (EndsWith(words, descriptor) && words.Count > descriptor.Length)
                {
                    words.RemoveRange(words.Count - descriptor.Length, descriptor.Length);
                    changed = true;
                    break;
                }
            }

            if (!changed && !descriptorsOnly && LegalSuffixes.Contains(words[^1].TrimEnd('.')))
            {
                words.RemoveAt(words.Count - 1);
                changed = true;
            }
        }
    }

    private static bool EndsWith(List<string> words, string[] tail)
    {
        if (words.Count < tail.Length)
        {
            return false;
        }

        for (var i = 0; i < tail.Length; i++)
        {
            if (!string.Equals(words[words.Count - tail.Length + i].TrimEnd('.'), tail[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static string RemoveParentheses(string name)
    {
        var open = name.IndexOf('(', StringComparison.Ordinal);
        while (open >= 0)
        {
            var close = name.IndexOf(')', open);
            name = close < 0 ? name[..open] : name[..open] + " " + name[(close + 1)..];
            open = name.IndexOf('(', StringComparison.Ordinal);
        }

        return name.Trim();
    }
}
