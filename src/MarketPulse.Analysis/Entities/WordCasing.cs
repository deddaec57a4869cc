using System.Globalization;

namespace MarketPulse.Analysis.Entities;

/// <summary>
/// How a word is usually written inside a sentence, counted over an unlabelled corpus (the tagger's training texts):
/// how often in lower case and how often capitalised, away from the start of a sentence and outside title-case
/// texts. A capitalised word that the corpus writes in lower case ("Bets", "Smart", "Three" at the start of a
/// headline) is rarely a name; one it only writes capitalised ("Fitch") or has never seen ("Aircel") often is. The
/// tagger reads it as the feature <see cref="Bucket"/>; the table is saved in the tagger's file.
/// </summary>
public sealed class WordCasing
{
    private readonly Dictionary<string, (int Lower, int Capital)> counts;

    public WordCasing()
        : this(new Dictionary<string, (int, int)>(StringComparer.Ordinal))
    {
    }

    private WordCasing(Dictionary<string, (int Lower, int Capital)> counts) => this.counts = counts;

    /// <summary>Distinct words counted.</summary>
    public int Count => counts.Count;

    /// <summary>
    /// Adds the words of <paramref name="text"/> to the counts (<paramref name="sign"/> 1) or takes them away again
    /// (-1: training leaves a headline's own words out of the feature it learns from, as a new text's are).
    /// </summary>
    public void Add(string text, int sign = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (sign is not (1 or -1))
        {
            throw new ArgumentOutOfRangeException(nameof(sign), sign, "1 adds a text, -1 takes it away");
        }

        var tokens = EntityTagger.Tokenize(text);
        if (IsTitleCase(text, tokens))
        {
            return;
        }

        for (var i = 1; i < tokens.Count; i++)
        {
            var previous = text[tokens[i - 1].Start];
            if (previous is '.' or '!' or '?' or ':' or ';' or '"' or '|' or '(' or '-' or '“')
            {
                continue;
            }

            var word = text.Substring(tokens[i].Start, tokens[i].Length);
            if (!char.IsLetter(word[0]) || (word.Length > 1 && word.All(c => !char.IsLetter(c) || char.IsUpper(c))))
            {
                continue; // acronyms say nothing about how a word is cased in prose
            }

            var key = word.ToLowerInvariant();
            counts.TryGetValue(key, out var c);
            c = char.IsUpper(word[0]) ? (c.Lower, c.Capital + sign) : (c.Lower + sign, c.Capital);
            if (c is { Lower: 0, Capital: 0 })
            {
                counts.Remove(key);
            }
            else
            {
                counts[key] = c;
            }
        }
    }

    /// <summary>
    /// The word's casing class: <c>new</c> (never seen inside a sentence), <c>cap</c> (only capitalised),
    /// <c>mostcap</c>, <c>mostlow</c>, <c>low</c> (lower case nine times in ten or more), with a frequency mark
    /// (<c>1</c> seen once, <c>f</c> five times or more) on the extremes.
    /// </summary>
    public string Bucket(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (!counts.TryGetValue(word.ToLowerInvariant(), out var c) || c.Lower + c.Capital <= 0)
        {
            return "new";
        }

        var total = c.Lower + c.Capital;
        var mark = total == 1 ? "1" : total >= 5 ? "f" : "";
        var lowShare = c.Lower / (double)total;
        return lowShare switch
        {
            0 => "cap" + mark,
            < 0.5 => "mostcap",
            < 0.9 => "mostlow",
            _ => "low" + mark,
        };
    }

    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(counts.Count);
        foreach (var (word, c) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Write(word);
            writer.Write7BitEncodedInt(c.Lower);
            writer.Write7BitEncodedInt(c.Capital);
        }
    }

    public static WordCasing Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var n = reader.ReadInt32();
        if (n < 0)
        {
            throw new InvalidDataException("bad word casing table");
        }

        var counts = new Dictionary<string, (int, int)>(n, StringComparer.Ordinal);
        for (var k = 0; k < n; k++)
        {
            counts[reader.ReadString()] = (reader.Read7BitEncodedInt(), reader.Read7BitEncodedInt());
        }

        return new WordCasing(counts);
    }

    /// <summary>A text whose words are nearly all capitalised ("Karur Vysya Bank Q3 Net Profit Rises") says nothing about casing.</summary>
    private static bool IsTitleCase(string text, List<TaggerToken> tokens)
    {
        int words = 0, capitalised = 0;
        foreach (var t in tokens)
        {
            var c = text[t.Start];
            if (char.IsLetter(c) && t.Length > 3)
            {
                words++;
                if (char.IsUpper(c))
                {
                    capitalised++;
                }
            }
        }

        return words >= 3 && capitalised >= 0.8 * words;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{counts.Count} words");
}
