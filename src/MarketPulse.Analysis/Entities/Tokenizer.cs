namespace MarketPulse.Analysis.Entities;

/// <summary>How a token is capitalised in the text.</summary>
internal enum TokenShape : byte
{
    /// <summary>No letters (digits).</summary>
    Other,
    Lower,
    Capitalised,
    Upper,
}

/// <summary>What a phrase token demands of the text token it matches.</summary>
internal enum CaseRule : byte
{
    Any,
    Capitalised,
    Upper,
}

/// <summary>
/// One word of a text. <see cref="Glued"/> marks a token split from the previous one inside an
/// alphanumeric run ("Nifty50", "S&amp;P500"): a match may not start or end inside such a run.
/// <see cref="BreakBefore"/> marks hard punctuation (comma, colon, sentence end...) that a phrase
/// may not span, so "Nifty, Bank Nifty" is not read as "Nifty Bank".
/// </summary>
internal readonly record struct Token(int Start, int Length, bool Glued, bool BreakBefore, TokenShape Shape)
{
    public int End => Start + Length;

    public bool Satisfies(CaseRule rule) => rule switch
    {
        CaseRule.Upper => Shape is TokenShape.Upper or TokenShape.Other,
        CaseRule.Capitalised => Shape is TokenShape.Upper or TokenShape.Capitalised or TokenShape.Other,
        _ => true,
    };
}

/// <summary>
/// Splits text into words: letter runs and digit runs (split from each other), plus '&amp;' and '/'
/// as tokens of their own. Periods inside abbreviations, apostrophes and hyphens are soft separators.
/// </summary>
internal static class Tokenizer
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "Dr", "Mr", "Mrs", "Ms", "St", "Co", "Inc", "Ltd", "Corp", "Jr", "Sr", "vs",
    };

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>(Math.Max(4, text.Length / 5));
        var pendingBreak = false;
        var previousEnd = -1;
        var previousAlphanumeric = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsLetterOrDigit(c))
            {
                var start = i;
                var digit = char.IsDigit(c);
                i++;
                while (i < text.Length && char.IsLetterOrDigit(text[i]) && char.IsDigit(text[i]) == digit)
                {
                    i++;
                }

                var glued = previousAlphanumeric && previousEnd == start;
                tokens.Add(new Token(start, i - start, glued, pendingBreak && !glued, ShapeOf(text.AsSpan(start, i - start))));
                pendingBreak = false;
                previousEnd = i;
                previousAlphanumeric = true;
            }
            else if (c is '&' or '/')
            {
                tokens.Add(new Token(i, 1, false, pendingBreak, TokenShape.Other));
                pendingBreak = false;
                i++;
                previousEnd = i;
                previousAlphanumeric = false;
            }
            else
            {
                if (IsHardBreak(text, i, tokens))
                {
                    pendingBreak = true;
                }

                i++;
            }
        }

        return tokens;
    }

    private static bool IsHardBreak(string text, int i, List<Token> tokens)
    {
        var c = text[i];
        switch (c)
        {
            case ',' or ';' or ':' or '!' or '?' or '(' or ')' or '[' or ']' or '{' or '}' or '"' or '|'
                or '\n' or '\r' or '\u2013' or '\u2014' or '\u201C' or '\u201D' or '\u2022':
                return true;
            case '.':
                var sentenceEnd = i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1]);
                if (!sentenceEnd || tokens.Count == 0)
                {
                    return false;
                }

                var last = tokens[^1];
                var word = text.AsSpan(last.Start, last.Length);
                var abbreviation = last.End == i
                    && ((word.Length == 1 && char.IsUpper(word[0])) || Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word));
                return !abbreviation;
            default:
                return false;
        }
    }

    private static TokenShape ShapeOf(ReadOnlySpan<char> word)
    {
        var letters = 0;
        var upper = 0;
        foreach (var ch in word)
        {
            if (char.IsLetter(ch))
            {
                letters++;
                if (char.IsUpper(ch))
                {
                    upper++;
                }
            }
        }

        if (letters == 0)
        {
            return TokenShape.Other;
        }

        if (upper == letters)
        {
            return TokenShape.Upper;
        }

        return char.IsUpper(word[0]) ? TokenShape.Capitalised : TokenShape.Lower;
    }
}
