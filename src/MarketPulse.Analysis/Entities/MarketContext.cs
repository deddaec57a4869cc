using System.Text.RegularExpressions;

namespace MarketPulse.Analysis.Entities;

/// <summary>Where a text places a company: on the Indian market, the US market, another market, or nowhere said.</summary>
internal enum MarketCue
{
    None,
    India,
    Us,
    Elsewhere,
}

/// <summary>
/// Resolves a company name that several companies answer to (Siemens: Siemens Ltd on NSE or Siemens AG in Frankfurt;
/// Pfizer: Pfizer Ltd on NSE or Pfizer Inc on NYSE) from what the text says around it: a legal suffix right after
/// the name (AG, plc, Inc ...), then the exchanges, indices, currencies, regulators and places it names. When
/// nothing decides, or the text points at a market none of the candidates trades on, the name stays unlinked.
/// </summary>
internal static partial class MarketContext
{
    /// <summary>The market the words of <paramref name="text"/> outside the mention's span point to.</summary>
    public static MarketCue Of(string text, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        var suffix = LegalSuffix().Match(text, start + length);
        if (suffix.Success && suffix.Index == start + length)
        {
            return suffix.Groups["us"].Success ? MarketCue.Us : MarketCue.Elsewhere;
        }

        int india = 0, us = 0, elsewhere = 0;
        foreach (Match cue in Cues().Matches(text))
        {
            if (cue.Index < start + length && start < cue.Index + cue.Length)
            {
                continue; // the name's own words ("Cummins India") are not context
            }

            if (cue.Groups["india"].Success)
            {
                india++;
            }
            else if (cue.Groups["us"].Success)
            {
                us++;
            }
            else
            {
                elsewhere++;
            }
        }

        var most = Math.Max(india, Math.Max(us, elsewhere));
        if (most == 0 || (india == most ? 1 : 0) + (us == most ? 1 : 0) + (elsewhere == most ? 1 : 0) > 1)
        {
            return MarketCue.None;
        }

        return india == most ? MarketCue.India : us == most ? MarketCue.Us : MarketCue.Elsewhere;
    }

    /// <summary>The catalogue market (<c>NSE</c>, <c>US</c>) a cue names, or null for none or another market.</summary>
    public static string? MarketOf(MarketCue cue) => cue switch
    {
        MarketCue.India => "NSE",
        MarketCue.Us => "US",
        _ => null,
    };

    // Right after the name: "Siemens AG", "Pfizer Inc". Ltd and Limited say nothing (Indian and British companies use both).
    [GeneratedRegex(@"\G[\s,]*(?:(?<us>Inc|Corp|Corporation|Co)\b\.?|(?:AG|SE|GmbH|KGaA|plc|PLC|NV|N\.V\.|SA|S\.A\.|SpA|S\.p\.A\.|Oyj|ASA|AB|AS|KK)(?![\w.]))", RegexOptions.CultureInvariant)]
    private static partial Regex LegalSuffix();

    [GeneratedRegex(
        @"(?<india>\b(?:NSE|BSE|Sensex|Nifty|Sebi|SEBI|RBI|INR|crores?|lakhs?|paise|rupees?|Rupee|India|Indian|Dalal Street|Mumbai|Delhi|Bengaluru|Bangalore|FIIs?|DIIs?)\b|₹|\bRs\b\.?)"
        + @"|(?<us>\b(?:NYSE|Nasdaq|NASDAQ|Wall Street|S&P|Dow|U\.S\.|US|USA|American|SEC|cents)(?![\w]))"
        + @"|(?<elsewhere>\b(?:Germany|German|Frankfurt|DAX|Xetra|euros?|Euro|Paris|CAC|London|FTSE|LSE|UK|Britain|British|Swiss|Zurich|Switzerland|Japan|Japanese|Tokyo|Nikkei|yen|Korea|Korean|Seoul|Kospi|KOSPI|Europe|European|Hong Kong|Hang Seng|China|Chinese|Shanghai)\b|€|£)",
        RegexOptions.CultureInvariant)]
    private static partial Regex Cues();
}
