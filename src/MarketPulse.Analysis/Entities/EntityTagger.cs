using System.IO.Compression;
using System.Text.RegularExpressions;
using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Analysis.Entities;

/// <summary>A word of a text as the tagger sees it: its character span.</summary>
public readonly record struct TaggerToken(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>Feature ids of a text's tokens for the tagger, and each token's context vector input (or null): see <see cref="EntityTagger.Lattice"/>.</summary>
public sealed record TaggerLattice(int[][] Own, int[][][] Transition, float[]?[]? Dense = null);

/// <summary>
/// A trained recogniser of entity mentions: an averaged-perceptron BIO tagger over hashed features of each word
/// (the word, its lower case, shape, 3- and 4-letter prefix and suffix, the neighbouring words, whether the catalogue
/// covers it and with which type, whether it is a known sector, commodity or market word, how the word is usually
/// cased inside a sentence: <see cref="WordCasing"/>), dense weights over the encoder's output for the word and its
/// neighbours (<see cref="ContextVectors"/>, from the pass that gives the sentence vector) and the previous tag,
/// trained as a structured perceptron and decoded with Viterbi over the tag sequence. It finds names it has never seen ("Shalimar Paints", "Karvy"); the catalogue
/// then links them. Trained by <c>marketpulse train entities</c> with a fixed seed; thread-safe once built.
/// </summary>
public sealed partial class EntityTagger
{
    /// <summary>Tags: outside, begin, inside.</summary>
    public const int Outside = 0, Begin = 1, Inside = 2, Tags = 3;

    private const string ResourceName = "MarketPulse.Analysis.Entities.entity-tagger.bin";
    // "NER1": feature set 1, weights only. "NER2": feature set 2 (4-letter affixes, the casing feature when a table
    // is present), the weights, then whether a word casing table follows, and the table.
    private const int Magic1 = 0x4E455231;
    private const int Magic2 = 0x4E455232;
    // "NER3": as NER2, then whether context vectors follow (<see cref="ContextVectors"/>: centre and dense weights), and they.
    private const int Magic3 = 0x4E455233;

    private readonly float[] weights;
    private readonly int bits;

    /// <summary>Which features the weights were trained on: 1 for files written before the affix and casing features.</summary>
    private readonly int features;

    /// <summary>A new, untrained tagger with the current feature set.</summary>
    public EntityTagger(int bits = 18)
        : this(bits, new float[(1 << bits) * Tags], 2)
    {
    }

    private EntityTagger(int bits, float[] weights, int features)
    {
        this.bits = bits;
        this.weights = weights;
        this.features = features;
    }

    /// <summary>The words of <paramref name="text"/>: runs of letters/digits (with inner <c>'&amp;.-</c>, but not a possessive <c>'s</c>) or single symbols.</summary>
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

    /// <summary>
    /// How words are cased inside sentences (<see cref="WordCasing"/>), read as a feature when set; saved with the
    /// weights. Training sets it before it builds lattices.
    /// </summary>
    public WordCasing? Casing { get; set; }

    /// <summary>
    /// The encoder's view of each word (<see cref="ContextVectors"/>), read when set and when the caller gives the
    /// text's token states; saved with the weights. Training sets it before it builds lattices.
    /// </summary>
    public ContextVectors? Context { get; set; }

    /// <summary>Mention spans (start, length, confidence) in <paramref name="text"/>; <paramref name="hints"/> is a per-token catalogue feature (or null).</summary>
    /// <param name="states">The encoder's word pieces and output for the text, read by a tagger with <see cref="Context"/>; without them such a tagger scores from the hashed features alone.</param>
    public List<(int Start, int Length, double Confidence)> Find(string text, List<TaggerToken> tokens, string?[]? hints, TokenStates? states = null)
    {
        var lattice = Lattice(text, tokens, hints, states);
        var (tags, margins) = Decode(lattice);
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

    /// <summary>
    /// The feature ids of every token: <see cref="TaggerLattice.Own"/> (the token and its neighbours) and, per previous
    /// tag (<c>-1</c> at the start, then <see cref="Outside"/>, <see cref="Begin"/>, <see cref="Inside"/>), the
    /// features that pair it with the token (<see cref="TaggerLattice.Transition"/>).
    /// </summary>
    public TaggerLattice Lattice(string text, List<TaggerToken> tokens, string?[]? hints, TokenStates? states = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        var own = new int[tokens.Count][];
        var transition = new int[tokens.Count][][];
        var features = new List<int>(32);
        // The casing class of every token, looked up once: each token's features read its own and its neighbours'.
        var cased = Casing is { } casing && this.features >= 2 ? tokens.Select(t => casing.Bucket(text.Substring(t.Start, t.Length))).ToArray() : null;
        var dense = Context is { } context && states is not null ? context.InputsOf(ContextVectors.WordVectors(text, tokens, states)) : null;
        for (var i = 0; i < tokens.Count; i++)
        {
            features.Clear();
            OwnFeatures(text, tokens, hints, cased, i, features);
            own[i] = [.. features];
            transition[i] = new int[Tags + 1][];
            for (var p = -1; p < Tags; p++)
            {
                features.Clear();
                TransitionFeatures(text, tokens, hints, cased, i, p, features);
                transition[i][p + 1] = [.. features];
            }
        }

        return new TaggerLattice(own, transition, dense);
    }

    /// <summary>
    /// The best tag sequence (Viterbi over first-order transitions, an <see cref="Inside"/> only after
    /// <see cref="Begin"/> or <see cref="Inside"/>) and, per token, the margin between the best sequence and the best
    /// one with another tag at that token (max-marginals).
    /// </summary>
    public (int[] Tags, double[] Margins) Decode(TaggerLattice lattice)
    {
        ArgumentNullException.ThrowIfNull(lattice);
        var n = lattice.Own.Length;
        var tags = new int[n];
        var margins = new double[n];
        if (n == 0)
        {
            return (tags, margins);
        }

        // local[i][p+1][t]: score of tag t at token i after tag p (p = -1 at the start).
        var local = new double[n][][];
        var ownScores = new float[Tags];
        var pairScores = new float[Tags];
        for (var i = 0; i < n; i++)
        {
            Score(lattice.Own[i], ownScores);
            if (lattice.Dense?[i] is { } input && Context is { } context)
            {
                context.AddScores(input, ownScores);
            }

            local[i] = new double[Tags + 1][];
            for (var p = -1; p < Tags; p++)
            {
                if ((i == 0) != (p == -1))
                {
                    continue;
                }

                Score(lattice.Transition[i][p + 1], pairScores);
                var row = local[i][p + 1] = new double[Tags];
                for (var t = 0; t < Tags; t++)
                {
                    row[t] = t == Inside && p is -1 or Outside ? double.NegativeInfinity : ownScores[t] + pairScores[t];
                }
            }
        }

        var forward = new double[n][];
        var back = new int[n][];
        forward[0] = (double[])local[0][0].Clone();
        back[0] = [-1, -1, -1];
        for (var i = 1; i < n; i++)
        {
            forward[i] = new double[Tags];
            back[i] = new int[Tags];
            for (var t = 0; t < Tags; t++)
            {
                var best = double.NegativeInfinity;
                var from = 0;
                for (var p = 0; p < Tags; p++)
                {
                    var v = forward[i - 1][p] + local[i][p + 1][t];
                    if (v > best)
                    {
                        best = v;
                        from = p;
                    }
                }

                forward[i][t] = best;
                back[i][t] = from;
            }
        }

        var backward = new double[n][];
        backward[n - 1] = new double[Tags];
        for (var i = n - 2; i >= 0; i--)
        {
            backward[i] = new double[Tags];
            for (var t = 0; t < Tags; t++)
            {
                var best = double.NegativeInfinity;
                for (var u = 0; u < Tags; u++)
                {
                    best = Math.Max(best, local[i + 1][t + 1][u] + backward[i + 1][u]);
                }

                backward[i][t] = best;
            }
        }

        var last = 0;
        for (var t = 1; t < Tags; t++)
        {
            if (forward[n - 1][t] > forward[n - 1][last])
            {
                last = t;
            }
        }

        tags[n - 1] = last;
        for (var i = n - 1; i > 0; i--)
        {
            tags[i - 1] = back[i][tags[i]];
        }

        var total = forward[n - 1][last];
        for (var i = 0; i < n; i++)
        {
            var other = double.NegativeInfinity;
            for (var t = 0; t < Tags; t++)
            {
                if (t != tags[i])
                {
                    other = Math.Max(other, forward[i][t] + backward[i][t]);
                }
            }

            margins[i] = total - other;
        }

        return (tags, margins);
    }

    /// <summary>Hashed feature ids of token <paramref name="i"/> that do not depend on the previous tag.</summary>
    private void OwnFeatures(string text, List<TaggerToken> tokens, string?[]? hints, string[]? cased, int i, List<int> into)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(into);
        var word = Text(text, tokens, i);
        var lower = word.ToLowerInvariant();
        var prev = i > 0 ? Text(text, tokens, i - 1).ToLowerInvariant() : "<s>";
        var prev2 = i > 1 ? Text(text, tokens, i - 2).ToLowerInvariant() : "<s>";
        var next = i + 1 < tokens.Count ? Text(text, tokens, i + 1).ToLowerInvariant() : "</s>";
        var next2 = i + 2 < tokens.Count ? Text(text, tokens, i + 2).ToLowerInvariant() : "</s>";
        var shape = Shape(word);
        var hint = hints?[i] ?? "-";
        var lexicon = EntityTypes.LexiconHint(lower) ?? "-";
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
        if (features >= 2)
        {
            Add(into, "p4=" + lower[..Math.Min(4, lower.Length)]);
            Add(into, "x4=" + lower[Math.Max(0, lower.Length - 4)..]);
            Add(into, "x2=" + lower[Math.Max(0, lower.Length - 2)..] + "|" + shape);
        }

        if (cased is not null)
        {
            var own = cased[i];
            var nextCased = i + 1 < tokens.Count ? cased[i + 1] : "</s>";
            var prevCased = i > 0 ? cased[i - 1] : "<s>";
            Add(into, "cs=" + own);
            Add(into, "csf=" + own + "|" + (i == 0) + "|" + shape);
            Add(into, "csn=" + own + "|" + nextCased);
            Add(into, "csp=" + prevCased + "|" + own);
        }
    }

    /// <summary>Hashed feature ids pairing token <paramref name="i"/> with the previous tag (-1 at the start).</summary>
    private void TransitionFeatures(string text, List<TaggerToken> tokens, string?[]? hints, string[]? cased, int i, int previousTag, List<int> into)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(into);
        var word = Text(text, tokens, i);
        var pt = previousTag.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Add(into, "t=" + pt);
        Add(into, "tw=" + pt + "|" + word.ToLowerInvariant());
        Add(into, "ts=" + pt + "|" + Shape(word));
        Add(into, "tc=" + pt + "|" + (hints?[i] ?? "-"));
        if (cased is not null)
        {
            Add(into, "tcs=" + pt + "|" + cased[i] + "|" + Shape(word));
        }
    }

    /// <summary>Class scores of the features.</summary>
    public void Score(IReadOnlyList<int> features, float[] scores)
    {
        Array.Clear(scores);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(scores);
        for (var k = 0; k < features.Count; k++)
        {
            var b = features[k] * Tags;
            for (var t = 0; t < Tags; t++)
            {
                scores[t] += weights[b + t];
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to the score of <see cref="Begin"/> at every token (the weight of the always-on
    /// feature): above zero the tagger starts more mentions, trading precision for recall. Training chooses it.
    /// </summary>
    public void ShiftBegin(float delta)
    {
        var bias = new List<int>(1);
        Add(bias, "b");
        weights[bias[0] * Tags + Begin] += delta;
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
        writer.Write(features == 1 ? Magic1 : Context is null ? Magic2 : Magic3);
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

        if (features >= 2)
        {
            writer.Write(Casing is not null);
            Casing?.Save(writer);
        }

        if (Context is not null)
        {
            writer.Write(true);
            Context.Save(writer);
        }
    }

    public static EntityTagger Load(Stream stream)
    {
        using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new BinaryReader(gzip);
        var magic = reader.ReadInt32();
        if (magic is not (Magic1 or Magic2 or Magic3))
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

        var features = magic == Magic1 ? 1 : 2;
        var casing = features >= 2 && reader.ReadBoolean() ? WordCasing.Load(reader) : null;
        var context = magic == Magic3 && reader.ReadBoolean() ? ContextVectors.Load(reader) : null;
        return new EntityTagger(bits, weights, features) { Casing = casing, Context = context };
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

    // A possessive "'s" (or "’s") is not part of the word, so "Sebi's" gives the mention "Sebi"; other inner
    // apostrophes stay ("O'Neil", "Moody's" is caught by the catalogue before the tagger sees it).
    [GeneratedRegex(@"[\p{L}\p{N}]+(?:(?:['’](?![sS]\b)|[&.\-])[\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
