using System.Numerics.Tensors;
using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Analysis.Entities;

/// <summary>
/// The encoder's view of each word, as the tagger reads it: the word's output vector (the mean of its word pieces'
/// rows from the pass that gives the sentence vector, so no second pass), centred on the mean of the training words,
/// scaled to unit length and put beside its neighbours' (<see cref="Window"/> words), with one dense weight per tag
/// and input. It adds what the word means in this sentence to the tagger's hashed features of its spelling: a name
/// never seen reads like the names that were.
/// </summary>
public sealed class ContextVectors
{
    private readonly float[] mean;

    /// <param name="mean">The centre (the training words' mean vector).</param>
    /// <param name="window">1 for the word alone, 3 for it and its neighbours.</param>
    /// <param name="weights">Tag * <see cref="Inputs"/> + input; zeros for a tagger yet to be trained.</param>
    public ContextVectors(float[] mean, int window, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        if (window is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "1 or 3 words");
        }

        this.mean = mean;
        Window = window;
        Weights = weights ?? new float[EntityTagger.Tags * Inputs];
        if (Weights.Length != EntityTagger.Tags * Inputs)
        {
            throw new ArgumentException($"{Weights.Length} weights for {EntityTagger.Tags} tags of {Inputs} inputs", nameof(weights));
        }
    }

    public int Dimensions => mean.Length;

    public int Window { get; }

    /// <summary>Inputs per token: <see cref="Window"/> vectors.</summary>
    public int Inputs => Window * mean.Length;

    /// <summary>Tag * <see cref="Inputs"/> + input, for training and scoring.</summary>
    public float[] Weights { get; }

    /// <summary>The centre: the mean of <paramref name="vectors"/> (nulls skipped).</summary>
    public static ContextVectors Fit(IEnumerable<float[]?> vectors, int dimensions, int window)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var sum = new double[dimensions];
        var n = 0;
        foreach (var v in vectors)
        {
            if (v is null)
            {
                continue;
            }

            for (var d = 0; d < dimensions; d++)
            {
                sum[d] += v[d];
            }

            n++;
        }

        return new ContextVectors([.. sum.Select(s => (float)(n == 0 ? 0 : s / n))], window);
    }

    /// <summary>
    /// Per tagger token, the mean of the encoder rows of the word pieces that start inside it, or null when none does.
    /// The pieces are found in the text in order, as the uncased tokenizer read it (lower case; <c>##</c> continues a
    /// word; <c>[UNK]</c> covers the rest of its word); a piece not found where expected is skipped.
    /// </summary>
    public static float[]?[] WordVectors(string text, IReadOnlyList<TaggerToken> tokens, TokenStates states)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(states);
        var dims = states.Dimensions;
        var sums = new float[]?[tokens.Count];
        var counts = new int[tokens.Count];
        var lower = text.ToLowerInvariant();
        var pos = 0;
        var token = 0;
        for (var k = 0; k < states.Pieces.Length && token < tokens.Count; k++)
        {
            var piece = states.Pieces[k];
            if (piece is "[CLS]" or "[SEP]" or "[PAD]")
            {
                continue;
            }

            var continuation = piece.StartsWith("##", StringComparison.Ordinal);
            var body = continuation ? piece[2..] : piece;
            if (!continuation)
            {
                while (pos < lower.Length && char.IsWhiteSpace(lower[pos]))
                {
                    pos++;
                }
            }

            int start;
            if (body == "[UNK]")
            {
                start = pos;
                while (pos < lower.Length && !char.IsWhiteSpace(lower[pos]))
                {
                    pos++;
                }
            }
            else if (string.CompareOrdinal(lower, pos, body, 0, body.Length) == 0)
            {
                start = pos;
                pos += body.Length;
            }
            else
            {
                // An accent the tokenizer stripped, or a character it dropped: look a little further on.
                var found = lower.IndexOf(body, pos, Math.Min(lower.Length - pos, body.Length + 8), StringComparison.Ordinal);
                if (found < 0)
                {
                    continue;
                }

                start = found;
                pos = found + body.Length;
            }

            while (token < tokens.Count && tokens[token].End <= start)
            {
                token++;
            }

            if (token == tokens.Count || start < tokens[token].Start)
            {
                continue;
            }

            var sum = sums[token] ??= new float[dims];
            TensorPrimitives.Add(sum, states.States.AsSpan(k * dims, dims), sum);
            counts[token]++;
        }

        for (var i = 0; i < sums.Length; i++)
        {
            if (sums[i] is { } s)
            {
                TensorPrimitives.Multiply(s, 1f / counts[i], s);
            }
        }

        return sums;
    }

    /// <summary>
    /// Each token's input: its vector minus the centre at unit length, with its neighbours' beside it when the window
    /// is 3 (zeros past either end or for a neighbour without a vector); null for a token without a vector.
    /// </summary>
    public float[]?[] InputsOf(float[]?[] wordVectors)
    {
        ArgumentNullException.ThrowIfNull(wordVectors);
        var centred = wordVectors.Select(Centred).ToArray();
        if (Window == 1)
        {
            return centred;
        }

        var d = Dimensions;
        var result = new float[]?[centred.Length];
        for (var i = 0; i < centred.Length; i++)
        {
            if (centred[i] is not { } own)
            {
                continue;
            }

            var x = new float[3 * d];
            if (i > 0)
            {
                centred[i - 1]?.CopyTo(x, 0);
            }

            own.CopyTo(x, d);
            if (i + 1 < centred.Length)
            {
                centred[i + 1]?.CopyTo(x, 2 * d);
            }

            result[i] = x;
        }

        return result;
    }

    /// <summary>Adds each tag's dense score of <paramref name="input"/> to <paramref name="scores"/>.</summary>
    public void AddScores(float[] input, float[] scores)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scores);
        for (var t = 0; t < EntityTagger.Tags; t++)
        {
            scores[t] += TensorPrimitives.Dot(Weights.AsSpan(t * Inputs, Inputs), input);
        }
    }

    private float[]? Centred(float[]? vector)
    {
        if (vector is null)
        {
            return null;
        }

        var centred = new float[mean.Length];
        TensorPrimitives.Subtract(vector, mean, centred);
        var norm = TensorPrimitives.Norm(centred);
        if (norm > 0)
        {
            TensorPrimitives.Multiply(centred, 1 / norm, centred);
        }

        return centred;
    }

    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Window);
        writer.Write(mean.Length);
        foreach (var m in mean)
        {
            writer.Write(m);
        }

        foreach (var w in Weights)
        {
            writer.Write(w);
        }
    }

    public static ContextVectors Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var window = reader.ReadInt32();
        var mean = new float[reader.ReadInt32()];
        for (var d = 0; d < mean.Length; d++)
        {
            mean[d] = reader.ReadSingle();
        }

        var weights = new float[EntityTagger.Tags * window * mean.Length];
        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] = reader.ReadSingle();
        }

        return new ContextVectors(mean, window, weights);
    }
}
