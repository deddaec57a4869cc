using System.Text;
using System.Text.RegularExpressions;

namespace MarketPulse.Analysis.Sentiment;

/// <summary>Settings of the text features; stored in the weights file so prediction uses what training used.</summary>
internal sealed record FeatureSettings(
    int HashBits,
    int MaxWordNgram,
    int MinCharNgram,
    int MaxCharNgram,
    float WordWeight,
    float CharWeight,
    float LexiconWeight);

/// <summary>A sparse vector: sorted distinct bucket indices and their values.</summary>
internal readonly record struct SparseVector(int[] Indices, float[] Values);

/// <summary>
/// Turns a text into hashed word and character n-gram counts plus a few dense finance-lexicon features.
/// URLs are dropped and cashtags, mentions and numbers are replaced by placeholders, so the model learns from
/// wording rather than from tickers or links that do not carry over to other sources.
/// </summary>
internal static partial class TextFeaturizer
{
    public const int DenseCount = 12;

    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    [GeneratedRegex(@"(https?://|www\.)\S*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"\$[A-Za-z][A-Za-z0-9._]{0,11}", RegexOptions.CultureInvariant)]
    private static partial Regex CashtagPattern();

    [GeneratedRegex(@"@\w+", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"\d+(?:[.,]\d+)*", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    /// <summary>Lower-cased text with URLs removed and placeholders for cashtags, mentions and numbers.</summary>
    public static string Normalize(string text)
    {
        var s = UrlPattern().Replace(text, " ");
        s = CashtagPattern().Replace(s, " tkr ");
        s = MentionPattern().Replace(s, " @usr ");
        s = NumberPattern().Replace(s, "0");
        s = s.ToLowerInvariant();
        var sb = new StringBuilder(s.Length);
        var space = true;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!space)
                {
                    sb.Append(' ');
                    space = true;
                }
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Words of the normalised text: letter/digit runs (apostrophes dropped) and the signs % ! ?.</summary>
    public static List<string> Tokenize(string normalized)
    {
        var tokens = new List<string>();
        var sb = new StringBuilder();
        foreach (var c in normalized)
        {
            if (char.IsLetterOrDigit(c) || (c == '@' && sb.Length == 0))
            {
                sb.Append(c);
            }
            else if (c is '\'' or '\u2019')
            {
                // "don't" -> "dont"
            }
            else
            {
                Flush();
                if (c is '%' or '!' or '?')
                {
                    tokens.Add(c.ToString());
                }
            }
        }

        Flush();
        return tokens;

        void Flush()
        {
            if (sb.Length > 0)
            {
                tokens.Add(sb.ToString());
                sb.Clear();
            }
        }
    }

    /// <summary>Raw hashed counts (before weighting) and dense lexicon features of one text.</summary>
    public static (Dictionary<int, float> Words, Dictionary<int, float> Chars, float[] Dense) Extract(string text, FeatureSettings settings)
    {
        var mask = (1 << settings.HashBits) - 1;
        var normalized = Normalize(text);
        var tokens = Tokenize(normalized);
        var words = new Dictionary<int, float>();
        var chars = new Dictionary<int, float>();

        // Tokens in a negated scope get a second, marked feature so "not strong" differs from "strong".
        var negated = new bool[tokens.Count];
        var scope = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (scope > 0)
            {
                negated[i] = true;
                scope--;
            }

            if (Array.IndexOf(FinanceLexicon.Negations, tokens[i]) >= 0)
            {
                scope = 3;
            }
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            var h = FnvOffset;
            h = Mix(h, 'w');
            for (var n = 1; n <= settings.MaxWordNgram && i + n <= tokens.Count; n++)
            {
                if (n > 1)
                {
                    h = Mix(h, ' ');
                }

                foreach (var c in tokens[i + n - 1])
                {
                    h = Mix(h, c);
                }

                Add(words, Mix(h, (char)('0' + n)), mask);
            }

            if (negated[i])
            {
                var hn = Mix(FnvOffset, 'n');
                foreach (var c in tokens[i])
                {
                    hn = Mix(hn, c);
                }

                Add(words, hn, mask);
            }
        }

        var padded = " " + normalized + " ";
        for (var i = 0; i < padded.Length; i++)
        {
            var h = Mix(FnvOffset, 'c');
            for (var n = 1; n <= settings.MaxCharNgram && i + n <= padded.Length; n++)
            {
                h = Mix(h, padded[i + n - 1]);
                if (n >= settings.MinCharNgram)
                {
                    Add(chars, Mix(h, (char)('0' + n)), mask);
                }
            }
        }

        return (words, chars, LexiconFeatures(tokens, negated, normalized));
    }

    private static float[] LexiconFeatures(List<string> tokens, bool[] negated, string normalized)
    {
        float bull = 0, bear = 0, hedge = 0, negations = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var polarity = 0;
            if (MatchesStem(t, FinanceLexicon.BullishStems))
            {
                polarity++;
            }

            if (MatchesStem(t, FinanceLexicon.BearishStems))
            {
                polarity--;
            }

            if (negated[i])
            {
                polarity = -polarity;
            }

            if (polarity > 0)
            {
                bull++;
            }
            else if (polarity < 0)
            {
                bear++;
            }

            if (Array.IndexOf(FinanceLexicon.Hedges, t) >= 0)
            {
                hedge++;
            }

            if (Array.IndexOf(FinanceLexicon.Negations, t) >= 0)
            {
                negations++;
            }
        }

        var bullPhrases = CountPhrases(tokens, FinanceLexicon.BullishPhrases);
        var bearPhrases = CountPhrases(tokens, FinanceLexicon.BearishPhrases);
        var dense = new float[DenseCount];
        dense[0] = MathF.Log(1 + bull);
        dense[1] = MathF.Log(1 + bear);
        dense[2] = MathF.Log(1 + bullPhrases);
        dense[3] = MathF.Log(1 + bearPhrases);
        dense[4] = MathF.Tanh(bull + (2 * bullPhrases) - bear - (2 * bearPhrases));
        dense[5] = MathF.Log(1 + hedge);
        dense[6] = negations > 0 ? 1 : 0;
        dense[7] = normalized.Contains('?', StringComparison.Ordinal) ? 1 : 0;
        dense[8] = normalized.Contains('!', StringComparison.Ordinal) ? 1 : 0;
        dense[9] = normalized.Contains('%', StringComparison.Ordinal) ? 1 : 0;
        dense[10] = MathF.Log(1 + tokens.Count) / 4;
        dense[11] = 1;
        return dense;
    }

    private static bool MatchesStem(string token, string[] stems)
    {
        foreach (var stem in stems)
        {
            // Short stems ("up", "cut", "low") only match whole words, longer ones also match inflections.
            if (stem.Length <= 4 ? token == stem : token.StartsWith(stem, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static int CountPhrases(List<string> tokens, string[][] phrases)
    {
        var count = 0;
        foreach (var phrase in phrases)
        {
            for (var i = 0; i + phrase.Length <= tokens.Count; i++)
            {
                var match = true;
                for (var j = 0; j < phrase.Length && match; j++)
                {
                    match = tokens[i + j] == phrase[j];
                }

                if (match)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static uint Mix(uint h, char c)
    {
        h ^= c & 0xFFu;
        h *= FnvPrime;
        h ^= (uint)c >> 8;
        h *= FnvPrime;
        return h;
    }

    // FNV-1a is weak in its low bits; a final avalanche step spreads the bits before masking.
    private static void Add(Dictionary<int, float> counts, uint h, int mask)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        var index = (int)(h & (uint)mask);
        counts[index] = counts.TryGetValue(index, out var v) ? v + 1 : 1;
    }
}
