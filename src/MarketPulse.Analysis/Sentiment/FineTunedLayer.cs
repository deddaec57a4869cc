using System.Numerics.Tensors;
using System.Text;
using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Analysis.Sentiment;

/// <summary>
/// MiniLM's last encoder layer fine-tuned for sentiment, then masked mean pooling and L2 normalisation (as the
/// sentence embedding does) and a softmax head over bearish, bullish, neutral. It runs on the token states that
/// enter the last layer (<see cref="MiniLmEmbedder.EmbedWithLastLayerInput"/>), so the service's one encoder pass
/// still gives the original sentence vector for dedup. Immutable once trained; thread-safe for reading.
/// </summary>
public sealed class FineTunedLayer
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "MPTUNED\0"u8.ToArray();

    /// <summary>Wraps a layer and a head of <c>3 x hidden</c> weights (row per class) and 3 biases.</summary>
    public FineTunedLayer(string embeddingModel, EncoderLayer layer, float[] headWeights, float[] headBias)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(headWeights);
        ArgumentNullException.ThrowIfNull(headBias);
        if (headWeights.Length != SentimentModel.Classes * layer.Hidden || headBias.Length != SentimentModel.Classes)
        {
            throw new ArgumentException("head must be 3 x hidden weights and 3 biases.", nameof(headWeights));
        }

        EmbeddingModel = embeddingModel;
        Layer = layer;
        HeadWeights = headWeights;
        HeadBias = headBias;
    }

    /// <summary>The embedder variant whose last-layer input this was trained on.</summary>
    public string EmbeddingModel { get; }

    /// <summary>The fine-tuned layer.</summary>
    public EncoderLayer Layer { get; }

    /// <summary>Head weights, one row of <c>hidden</c> per class.</summary>
    public float[] HeadWeights { get; }

    /// <summary>Head biases.</summary>
    public float[] HeadBias { get; }

    /// <summary>
    /// Share of the base <see cref="SentimentModel"/>'s log-probabilities in <see cref="Combine"/>; the rest is this head's
    /// logits. 0 uses the head alone. Fitted by the trainer on the held-out split.
    /// </summary>
    public float BaseShare { get; init; }

    /// <summary>Temperature of <see cref="Combine"/>, fitted with <see cref="BaseShare"/>.</summary>
    public float Temperature { get; init; } = 1;

    /// <summary>Class probabilities from the base model's probabilities and this head's logits of the same text.</summary>
    public double[] Combine(double[] baseProbabilities, double[] headLogits) => Combine(baseProbabilities, headLogits, BaseShare, Temperature);

    /// <summary><see cref="Combine(double[], double[])"/> with a given share and temperature (the trainer's search).</summary>
    public static double[] Combine(double[] baseProbabilities, double[] headLogits, double share, double temperature)
    {
        ArgumentNullException.ThrowIfNull(baseProbabilities);
        ArgumentNullException.ThrowIfNull(headLogits);
        var z = new double[headLogits.Length];
        for (var c = 0; c < z.Length; c++)
        {
            z[c] = (share * Math.Log(Math.Max(baseProbabilities[c], 1e-12))) + ((1 - share) * headLogits[c]);
        }

        return ModelMath.Softmax(z, temperature);
    }

    /// <summary>The unit-length pooled vector and the class logits of one text's last-layer input ([tokens, hidden]).</summary>
    public (float[] Pooled, double[] Logits) Run(ReadOnlySpan<float> states)
    {
        var h = Layer.Hidden;
        var activations = Layer.Forward(states, states.Length / h);
        var pooled = Pool(activations.Output, activations.Length, h, out _);
        return (pooled, Head(pooled));
    }

    /// <summary>
    /// Cross-entropy of one text against <paramref name="label"/>; adds its gradient to <paramref name="layerGradients"/>
    /// (shaped like <see cref="EncoderLayer.Parameters"/>) and to <paramref name="headWeightGradient"/> / <paramref name="headBiasGradient"/>.
    /// </summary>
    public double Backpropagate(ReadOnlySpan<float> states, int label, float[][] layerGradients, float[] headWeightGradient, float[] headBiasGradient)
    {
        ArgumentNullException.ThrowIfNull(headWeightGradient);
        ArgumentNullException.ThrowIfNull(headBiasGradient);
        const int K = SentimentModel.Classes;
        var h = Layer.Hidden;
        var activations = Layer.Forward(states, states.Length / h);
        var t = activations.Length;
        var pooled = Pool(activations.Output, t, h, out var norm);
        var p = ModelMath.Softmax(Head(pooled), 1);
        var loss = -Math.Log(Math.Max(p[label], 1e-300));

        var du = new float[h];
        for (var c = 0; c < K; c++)
        {
            var dz = (float)(p[c] - (c == label ? 1 : 0));
            headBiasGradient[c] += dz;
            var row = headWeightGradient.AsSpan(c * h, h);
            TensorPrimitives.MultiplyAdd(pooled, dz, row, row);
            TensorPrimitives.MultiplyAdd(HeadWeights.AsSpan(c * h, h), dz, du, du);
        }

        // u = m / |m|: dm = (du - u (u . du)) / |m|; m is the mean over tokens, so each token gets dm / t.
        var along = TensorPrimitives.Dot(pooled, du);
        var dm = new float[h];
        TensorPrimitives.MultiplyAdd(pooled, -along, du, dm);
        TensorPrimitives.Multiply(dm, 1f / (norm * t), dm);
        var dOutput = new float[t * h];
        for (var i = 0; i < t; i++)
        {
            dm.CopyTo(dOutput.AsSpan(i * h, h));
        }

        Layer.Backward(activations, dOutput, layerGradients);
        return loss;
    }

    /// <summary>Reads a layer written by <see cref="Save"/>.</summary>
    public static FineTunedLayer Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a MarketPulse fine-tuned layer (bad magic header).");
        }

        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Fine-tuned layer format {version} is not supported; this build reads format {FormatVersion}.");
        }

        var model = reader.ReadString();
        int hidden = reader.ReadInt32(), heads = reader.ReadInt32(), intermediate = reader.ReadInt32();
        var parameters = new float[EncoderLayer.Count][];
        for (var p = 0; p < EncoderLayer.Count; p++)
        {
            parameters[p] = ModelMath.ReadArray(reader, EncoderLayer.Size(p, hidden, intermediate));
        }

        var layer = new EncoderLayer(hidden, heads, intermediate, parameters);
        var headWeights = ModelMath.ReadArray(reader, SentimentModel.Classes * hidden);
        var headBias = ModelMath.ReadArray(reader, SentimentModel.Classes);
        return new FineTunedLayer(model, layer, headWeights, headBias) { BaseShare = reader.ReadSingle(), Temperature = reader.ReadSingle() };
    }

    /// <summary>Writes the layer and head as float32; the same weights give the same bytes.</summary>
    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(EmbeddingModel);
        writer.Write(Layer.Hidden);
        writer.Write(Layer.Heads);
        writer.Write(Layer.Intermediate);
        foreach (var tensor in Layer.Parameters)
        {
            ModelMath.WriteArray(writer, tensor);
        }

        ModelMath.WriteArray(writer, HeadWeights);
        ModelMath.WriteArray(writer, HeadBias);
        writer.Write(BaseShare);
        writer.Write(Temperature);
    }

    private double[] Head(float[] pooled)
    {
        var h = Layer.Hidden;
        var z = new double[SentimentModel.Classes];
        for (var c = 0; c < z.Length; c++)
        {
            z[c] = HeadBias[c] + TensorPrimitives.Dot(HeadWeights.AsSpan(c * h, h), pooled);
        }

        return z;
    }

    // Mean over the tokens (all real: the padding is not passed in), then divided by max(|m|, 1e-12) as the package's Normalize.
    private static float[] Pool(float[] output, int tokens, int hidden, out float norm)
    {
        var m = new float[hidden];
        for (var i = 0; i < tokens; i++)
        {
            TensorPrimitives.Add(m, output.AsSpan(i * hidden, hidden), m);
        }

        TensorPrimitives.Multiply(m, 1f / tokens, m);
        norm = MathF.Max(TensorPrimitives.Norm(m), 1e-12f);
        TensorPrimitives.Multiply(m, 1f / norm, m);
        return m;
    }
}
