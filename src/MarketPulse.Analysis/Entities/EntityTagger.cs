using System.IO.Compression;
using System.Text.RegularExpressions;

namespace MarketPulse.Analysis.Entities;

/// <summary>A word of a text as the tagger sees it: its character span.</summary>
public readonly record struct TaggerToken(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>
/// A trained recogniser of entity mentions: an averaged-perceptron BIO tagger over hashed features of each word
/// (the word, its lower case, shape, 3-letter prefix and suffix, the neighbouring words, whether the catalogue
/// covers it and with which type, whether it is a known sector, commodity or market word) and the previous tag,
/// decoded greedily left to right. It finds names it has never seen ("Shalimar Paints", "Karvy"); the catalogue
/// then links them. Trained by <c>marketpulse train entities</c> with a fixed seed; thread-safe once built.
/// </summary>
public sealed partial class EntityTagger
{
    /// <summary>Tags: outside, begin, inside.</summary>
    public const int Outside = 0, Begin = 1, Inside = 2, Tags = 3;

    private const string ResourceName = "MarketPulse.Analysis.Entities.entity-tagger.bin";
    private const int Magic = 0x4E455231; // "NER1"

    private readonly float[] weights;
    private readonly int bits;

    public EntityTagger(int bits = 18)
    {
        this.bits = bits;
        weights = new float[(1 << bits) * Tags];
    }

    private EntityTagger(int bits, float[] weights)
    {
        this.bits = bits;
        this.weights = weights;
    }

    /// <summary>The words of <paramref name="text"/>: runs of letters/digits (with inner <c>'&amp;.-</c>) or single symbols.</summary>
    public static List<TaggerToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<TaggerToken>();
        foreach (Match m in Word().Matches(text))
        {
            tokens.Add(new TaggerToken(m.Index, m.Length));
        }

        return tokens;
    }

    /// <summary>Mention spans (start, length) in <paramref name="text"/>; <paramref name="hints"/> is a per-token catalogue feature (or null).</summary>
    public List<(int Start, int Length, double Confidence)> Find(string text, List<TaggerToken> tokens, string?[]? hints)
    {
        var tags = new int[tokens.Count];
        var margins = new double[tokens.Count];
        var scores = new float[Tags];
        var features = new List<int>(32);
        for (var i = 0; i < tokens.Count; i++)
        {
            features.Clear();
            Features(text, tokens, hints, i, i == 0 ? -1 : tags[i - 1], features);
            Score(features, scores);
            if (i == 0 || tags[i - 1] == Outside)
            {
                scores[Inside] = float.NegativeInfinity;
            }

            var best = Argmax(scores);
            tags[i] = best;
            var second = float.NegativeInfinity;
            for (var t = 0; t < Tags; t++)
            {
                if (t != best && scores[t] > second)
                {
                    second = scores[t];
                }
            }

            margins[i] = scores[best] - second;
        }

        var spans = new List<(int, int, double)>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tags[i] != Begin)
            {
                continue;
            }

            var j = i + 1;
            while (j < tokens.Count && tags[j] == Inside)
            {
                j++;
            }

            var margin = margins.Skip(i).Take(j - i).Min();
            spans.Add((tokens[i].Start, tokens[j - 1].End - tokens[i].Start, 1 / (1 + Math.Exp(-margin))));
            i = j - 1;
        }

        return spans;
    }

    /// <summary>Hashed feature ids of token <paramref name="i"/> given the previous tag (-1 at the start).</summary>
    public void Features(string text, List<TaggerToken> tokens, string?[]? hints, int i, int previousTag, List<int> into)
    {
        var word = Text(text, tokens, i);
        var lower = word.ToLowerInvariant();
        var prev = i > 0 ? Text(text, tokens, i - 1).ToLowerInvariant() : "<s>";
        var prev2 = i > 1 ? Text(text, tokens, i - 2).ToLowerInvariant() : "<s>";
        var next = i + 1 < tokens.Count ? Text(text, tokens, i + 1).ToLowerInvariant() : "</s>";
        var next2 = i + 2 < tokens.Count ? Text(text, tokens, i + 2).ToLowerInvariant() : "</s>";
        var shape = Shape(word);
        var hint = hints?[i] ?? "-";
        var lexicon = EntityTypes.LexiconHint(lower) ?? "-";
        var pt = previousTag.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Add(into, "b");
        Add(into, "w=" + word);
        Add(into, "l=" + lower);
        Add(into, "s=" + shape);
        Add(into, "p3=" + lower[..Math.Min(3, lower.Length)]);
        Add(into, "x3=" + lower[Math.Max(0, lower.Length - 3)..]);
        Add(into, "pw=" + prev);
        Add(into, "nw=" + next);
        Add(into, "p2=" + prev2);
        Add(into, "n2=" + next2);
        Add(into, "pn=" + prev + "|" + next);
        Add(into, "lw=" + lower + "|" + next);
        Add(into, "pl=" + prev + "|" + lower);
        Add(into, "ps=" + (i > 0 ? Shape(Text(text, tokens, i - 1)) : "<s>") + "|" + shape);
        Add(into, "ns=" + shape + "|" + (i + 1 < tokens.Count ? Shape(Text(text, tokens, i + 1)) : "</s>"));
        Add(into, "first=" + (i == 0) + "|" + shape);
        Add(into, "c=" + hint);
        Add(into, "cn=" + hint + "|" + (i + 1 < tokens.Count ? hints?[i + 1] ?? "-" : "</s>"));
        Add(into, "cp=" + (i > 0 ? hints?[i - 1] ?? "-" : "<s>") + "|" + hint);
        Add(into, "k=" + lexicon);
        Add(into, "kn=" + lexicon + "|" + (i + 1 < tokens.Count ? EntityTypes.LexiconHint(next) ?? "-" : "</s>"));
        Add(into, "t=" + pt);
        Add(into, "tw=" + pt + "|" + lower);
        Add(into, "ts=" + pt + "|" + shape);
        Add(into, "tc=" + pt + "|" + hint);
    }

    /// <summary>Class scores of the features.</summary>
    public void Score(List<int> features, float[] scores)
    {
        Array.Clear(scores);
        foreach (var f in features)
        {
            var b = f * Tags;
            for (var t = 0; t < Tags; t++)
            {
                scores[t] += weights[b + t];
            }
        }
    }

    /// <summary>The weights, for training (feature * 3 + tag).</summary>
    public float[] Weights => weights;

    public static int Argmax(float[] scores)
    {
        var best = 0;
        for (var t = 1; t < scores.Length; t++)
        {
            if (scores[t] > scores[best])
            {
                best = t;
            }
        }

        return best;
    }

    public void Save(Stream stream)
    {
        using var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
        using var writer = new BinaryWriter(gzip);
        writer.Write(Magic);
        writer.Write(bits);
        // Sparse: most buckets stay zero.
        var nonZero = 0;
        foreach (var w in weights)
        {
            if (w != 0)
            {
                nonZero++;
            }
        }

        writer.Write(nonZero);
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] != 0)
            {
                writer.Write(i);
                writer.Write((Half)weights[i]);
            }
        }
    }

    public static EntityTagger Load(Stream stream)
    {
        using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new BinaryReader(gzip);
        if (reader.ReadInt32() != Magic)
        {
            throw new InvalidDataException("not an entity tagger file");
        }

        var bits = reader.ReadInt32();
        var weights = new float[(1 << bits) * Tags];
        var count = reader.ReadInt32();
        for (var k = 0; k < count; k++)
        {
            var i = reader.ReadInt32();
            weights[i] = (float)reader.ReadHalf();
        }

        return new EntityTagger(bits, weights);
    }

    /// <summary>The tagger built into the assembly, or null when it was not.</summary>
    public static EntityTagger? LoadEmbedded()
    {
        using var stream = typeof(EntityTagger).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? null : Load(stream);
    }

    private void Add(List<int> into, string feature)
    {
        // FNV-1a, masked to the table size.
        var hash = 2166136261u;
        foreach (var c in feature)
        {
            hash = (hash ^ c) * 16777619u;
        }

        into.Add((int)(hash & ((1u << bits) - 1)));
    }

    private static string Text(string text, List<TaggerToken> tokens, int i) => text.Substring(tokens[i].Start, tokens[i].Length);

    private static string Shape(string word)
    {
        var upper = word.Count(char.IsUpper);
        var letters = word.Count(char.IsLetter);
        var digits = word.Count(char.IsDigit);
        if (letters == 0)
        {
            return digits > 0 ? "d" : "p";
        }

        if (upper == letters)
        {
            return word.Length <= 1 ? "U1" : digits > 0 ? "UD" : "UU";
        }

        if (char.IsUpper(word[0]))
        {
            return upper > 1 ? "Cc" : "C";
        }

        return upper > 0 ? "lC" : "l";
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['&.\-][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
