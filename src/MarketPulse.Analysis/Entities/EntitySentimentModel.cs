using System.IO.Compression;
using MarketPulse.Analysis.Sentiment;

namespace MarketPulse.Analysis.Entities;

/// <summary>
/// Sentiment of one entity mention: a multinomial logistic regression over hashed features of the mention's context
/// (position-marked words of the left and right windows and of the clause that holds it, with the mention's own
/// words masked), finance-lexicon polarity in the clause and the distance to the nearest polar word, negation, the
/// headline model's prediction for the whole text, the number of entities and whether others sit in another clause.
/// Trained by <c>marketpulse train entity-sentiment</c> with a fixed seed; thread-safe once built.
/// </summary>
public sealed class EntitySentimentModel
{
    /// <summary>Classes in the order of <see cref="SentimentLabel"/>'s bearish, bullish, neutral.</summary>
    public const int Classes = 3;

    private const string ResourceName = "MarketPulse.Analysis.Entities.entity-sentiment.bin";
    private const int Magic = 0x454E5331; // "ENS1"
    private const int Window = 3;

    private static readonly SentimentLabel[] Labels = [SentimentLabel.Bearish, SentimentLabel.Bullish, SentimentLabel.Neutral];

    private static readonly HashSet<string> ClauseWords = new(StringComparer.Ordinal)
    {
        "but", "while", "as", "after", "despite", "though", "although", "whereas", "amid", "even", "yet", "however", "ahead", "on", "over",
    };

    private static readonly Lazy<EntitySentimentModel?> Embedded = new(LoadEmbeddedCore);

    public EntitySentimentModel(int bits = 16)
    {
        Bits = bits;
        Weights = new float[(1 << bits) * Classes];
    }

    private EntitySentimentModel(int bits, float[] weights, float temperature)
    {
        Bits = bits;
        Weights = weights;
        Temperature = temperature;
    }

    public int Bits { get; }

    /// <summary>Weights, feature-major: bucket * <see cref="Classes"/> + class.</summary>
    public float[] Weights { get; }

    /// <summary>Divides the logits before the softmax (fitted on a tuning split).</summary>
    public float Temperature { get; set; } = 1;

    /// <summary>The model built into the assembly, loaded once per process; null when it was not built in.</summary>
    public static EntitySentimentModel? Shared => Embedded.Value;

    /// <summary>
    /// Hashed features (bucket, value) of the mention at [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>)
    /// of <paramref name="text"/>. <paramref name="otherStarts"/> are the starts of the text's other entity mentions.
    /// </summary>
    public List<(int Bucket, float Value)> Features(string text, int start, int length, SentimentPrediction headline, IReadOnlyList<int> otherStarts)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(headline);
        ArgumentNullException.ThrowIfNull(otherStarts);
        var features = new List<(int, float)>(96);
        var tokens = EntityTagger.Tokenize(text);
        var words = tokens.Select(t => text.Substring(t.Start, t.Length).ToLowerInvariant()).ToArray();
        var end = start + length;
        var first = tokens.FindIndex(t => t.End > start);
        if (first < 0)
        {
            first = tokens.Count;
        }

        var last = first;
        while (last < tokens.Count && tokens[last].Start < end)
        {
            last++;
        }

        // Clause of each token: a break at ; , : | ! ? - and at clause words.
        var clause = new int[tokens.Count];
        var c = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var w = words[i];
            var isBreak = w is ";" or "," or ":" or "|" or "!" or "?" or "-" or "–" || (ClauseWords.Contains(w) && (i < first || i >= last));
            if (isBreak && i > 0)
            {
                c++;
            }

            clause[i] = c;
        }

        var own = first < tokens.Count ? clause[first] : c;
        var h = headline.Label.ToString();
        Add(features, "bias", 1);
        Add(features, "h:" + h, 1);
        Add(features, "hs", (float)headline.Score);
        Add(features, "hc:" + h, (float)headline.Confidence);
        var others = otherStarts.Count;
        var othersElsewhere = otherStarts.Count(s => ClauseOf(s) != own);
        var count = others == 0 ? "1" : others == 1 ? "2" : "3+";
        Add(features, "ne:" + count, 1);
        Add(features, "ne:" + count + ":h:" + h, 1);
        Add(features, "oc:" + (othersElsewhere > 0) + ":h:" + h, 1);
        Add(features, "pos:" + (first == 0 ? "start" : last >= tokens.Count ? "end" : "mid"), 1);

        for (var k = 1; k <= Window; k++)
        {
            Add(features, $"L{k}:" + At(first - k), 1);
            Add(features, $"R{k}:" + At(last + k - 1), 1);
        }

        Add(features, "LR:" + At(first - 1) + "_" + At(last), 1);
        Add(features, "R12:" + At(last) + "_" + At(last + 1), 1);
        Add(features, "L21:" + At(first - 2) + "_" + At(first - 1), 1);

        // The clause holding the mention, its own words masked; and the rest of the text, weaker.
        int bull = 0, bear = 0, nearest = int.MaxValue, nearestSign = 0;
        var negated = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i >= first && i < last)
            {
                continue;
            }

            var w = words[i];
            var inClause = clause[i] == own;
            var polarity = Polarity(w);
            var flip = i > 0 && IsNegation(words[i - 1]) || i > 1 && IsNegation(words[i - 2]);
            if (flip)
            {
                polarity = -polarity;
            }

            if (inClause)
            {
                Add(features, "c:" + w, 1);
                if (i + 1 < tokens.Count && clause[i + 1] == own && (i + 1 < first || i + 1 >= last))
                {
                    Add(features, "cb:" + w + "_" + words[i + 1], 1);
                }

                Add(features, (i < first ? "cl:" : "cr:") + w, 1);
                bull += polarity > 0 ? 1 : 0;
                bear += polarity < 0 ? 1 : 0;
                negated |= IsNegation(w);
            }
            else
            {
                Add(features, "o:" + w, 0.5f);
            }

            if (polarity != 0)
            {
                var distance = i < first ? first - i : i - last + 1;
                if (distance < nearest)
                {
                    nearest = distance;
                    nearestSign = polarity;
                }
            }
        }

        Add(features, "lex:" + Math.Min(bull, 3) + ":" + Math.Min(bear, 3), 1);
        Add(features, "lexd", (float)Math.Tanh(bull - bear));
        Add(features, "lexd:h:" + h, (float)Math.Tanh(bull - bear));
        Add(features, "neg:" + negated, 1);
        if (nearestSign != 0)
        {
            var bucket = nearest <= 1 ? "1" : nearest <= 3 ? "2-3" : nearest <= 6 ? "4-6" : "7+";
            Add(features, "near:" + nearestSign + ":" + bucket, 1);
            Add(features, "near:" + nearestSign + ":" + bucket + ":h:" + h, 1);
        }
        else
        {
            Add(features, "near:none:h:" + h, 1);
        }

        return features;

        string At(int i) => i < 0 ? "<s>" : i >= tokens.Count ? "</s>" : i >= first && i < last ? "<e>" : words[i];

        int ClauseOf(int position)
        {
            var i = tokens.FindIndex(t => t.End > position);
            return i < 0 ? c : clause[i];
        }
    }

    /// <summary>Class probabilities (bearish, bullish, neutral) of a feature list.</summary>
    public double[] Probabilities(List<(int Bucket, float Value)> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var z = new double[Classes];
        foreach (var (bucket, value) in features)
        {
            for (var k = 0; k < Classes; k++)
            {
                z[k] += Weights[(bucket * Classes) + k] * value;
            }
        }

        var max = z.Max();
        double sum = 0;
        for (var k = 0; k < Classes; k++)
        {
            z[k] = Math.Exp((z[k] - max) / Temperature);
            sum += z[k];
        }

        for (var k = 0; k < Classes; k++)
        {
            z[k] /= sum;
        }

        return z;
    }

    /// <summary>The mention's label, score P(bullish) - P(bearish) and confidence P(label).</summary>
    public SentimentPrediction Predict(string text, int start, int length, SentimentPrediction headline, IReadOnlyList<int> otherStarts)
    {
        var p = Probabilities(Features(text, start, length, headline, otherStarts));
        var best = 0;
        for (var k = 1; k < Classes; k++)
        {
            if (p[k] > p[best])
            {
                best = k;
            }
        }

        return new SentimentPrediction(Labels[best], p[1] - p[0], p[best]);
    }

    /// <summary>Index of <paramref name="label"/> among the classes.</summary>
    public static int ClassOf(SentimentLabel label) => Array.IndexOf(Labels, label);

    public void Save(Stream stream)
    {
        using var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
        using var writer = new BinaryWriter(gzip);
        writer.Write(Magic);
        writer.Write(Bits);
        writer.Write(Temperature);
        var nonZero = Weights.Count(w => (Half)w != Half.Zero);
        writer.Write(nonZero);
        for (var i = 0; i < Weights.Length; i++)
        {
            if ((Half)Weights[i] != Half.Zero)
            {
                writer.Write(i);
                writer.Write((Half)Weights[i]);
            }
        }
    }

    public static EntitySentimentModel Load(Stream stream)
    {
        using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new BinaryReader(gzip);
        if (reader.ReadInt32() != Magic)
        {
            throw new InvalidDataException("not an entity sentiment file");
        }

        var bits = reader.ReadInt32();
        var temperature = reader.ReadSingle();
        var weights = new float[(1 << bits) * Classes];
        var count = reader.ReadInt32();
        for (var k = 0; k < count; k++)
        {
            var i = reader.ReadInt32();
            weights[i] = (float)reader.ReadHalf();
        }

        return new EntitySentimentModel(bits, weights, temperature);
    }

    private static EntitySentimentModel? LoadEmbeddedCore()
    {
        using var stream = typeof(EntitySentimentModel).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? null : Load(stream);
    }

    private static int Polarity(string word)
    {
        if (word.Length < 2)
        {
            return 0;
        }

        var bull = FinanceLexicon.BullishStems.Any(s => word.StartsWith(s, StringComparison.Ordinal) && (s.Length > 2 || word.Length == s.Length));
        var bear = FinanceLexicon.BearishStems.Any(s => word.StartsWith(s, StringComparison.Ordinal) && (s.Length > 2 || word.Length == s.Length));
        return bull == bear ? 0 : bull ? 1 : -1;
    }

    private static bool IsNegation(string word) => Array.IndexOf(FinanceLexicon.Negations, word.Replace("'", string.Empty, StringComparison.Ordinal)) >= 0;

    private void Add(List<(int, float)> into, string feature, float value)
    {
        // FNV-1a, masked to the table size.
        var hash = 2166136261u;
        foreach (var ch in feature)
        {
            hash = (hash ^ ch) * 16777619u;
        }

        into.Add(((int)(hash & ((1u << Bits) - 1)), value));
    }
}
