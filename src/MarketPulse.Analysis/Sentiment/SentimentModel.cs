using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Analysis.Sentiment;

/// <summary>
/// The embedded financial sentiment classifier: a linear model over hashed word/character n-grams, a finance
/// lexicon and the MiniLM sentence embedding, averaged in logit space with a small neural network over the
/// embedding, then temperature-scaled so the confidence is calibrated. Immutable once built, so one instance can
/// serve concurrent callers.
/// </summary>
public sealed class SentimentModel
{
    /// <summary>Name of the manifest resource holding the shipped weights.</summary>
    public const string ResourceName = "MarketPulse.Analysis.Sentiment.sentiment-model.bin";

    internal const int Classes = 3;
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "MPSENTI\0"u8.ToArray();

    internal SentimentModel(ModelParameters parameters)
    {
        Parameters = parameters;
        Version = ComputeVersion(parameters);
    }

    /// <summary>Short hash of the weights; changes whenever the model does.</summary>
    public string Version { get; }

    /// <summary>Id of the embedding model whose vectors <see cref="Predict"/> expects (see <see cref="MiniLmEmbedder.Model"/>).</summary>
    public string EmbeddingModel => Parameters.EmbeddingModel;

    internal ModelParameters Parameters { get; }

    /// <summary>Loads the weights shipped inside this assembly.</summary>
    public static SentimentModel LoadEmbedded()
    {
        using var stream = typeof(SentimentModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The assembly has no embedded resource '{ResourceName}'; the sentiment weights were not built into it.");
        return Load(stream);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static SentimentModel Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a MarketPulse sentiment model (bad magic header).");
        }

        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Sentiment model format {version} is not supported; this build reads format {FormatVersion}.");
        }

        return new SentimentModel(ModelParameters.Read(reader));
    }

    /// <summary>Writes the model; the same model always gives the same bytes.</summary>
    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        Parameters.Write(writer);
    }

    /// <summary>
    /// Classifies texts. <paramref name="embeddings"/> are the embedder's vectors of the same texts, in the same order,
    /// from the model named by <see cref="EmbeddingModel"/>.
    /// </summary>
    public IReadOnlyList<SentimentPrediction> Predict(IReadOnlyList<string> texts, float[][] embeddings)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(embeddings);
        if (texts.Count != embeddings.Length)
        {
            throw new ArgumentException($"Got {texts.Count} texts but {embeddings.Length} embeddings.", nameof(embeddings));
        }

        var result = new SentimentPrediction[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var embedding = embeddings[i];
            if (embedding.Length != Parameters.EmbeddingDimensions)
            {
                throw new ArgumentException($"Embedding {i} has {embedding.Length} dimensions; the model expects {Parameters.EmbeddingDimensions} from {Parameters.EmbeddingModel}.", nameof(embeddings));
            }

            var p = Probabilities(texts[i], embedding);
            result[i] = ToPrediction(p);
        }

        return result;
    }

    /// <summary>Embeds the texts with <paramref name="embedder"/> and classifies them.</summary>
    public IReadOnlyList<SentimentPrediction> Predict(IReadOnlyList<string> texts, ITextEmbedder embedder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        // "all-MiniLM-L6-v2/int8" and "all-MiniLM-L6-v2" are precisions of the same encoder, either way round: their
        // vectors are close enough to classify with (docs/sentiment-model.md gives the measured difference), though
        // dedup keeps the variants apart.
        if (!string.Equals(Encoder(embedder.ModelId), Encoder(Parameters.EmbeddingModel), StringComparison.Ordinal))
        {
            throw new ArgumentException($"The model was trained on {Parameters.EmbeddingModel} vectors, not {embedder.ModelId}.", nameof(embedder));
        }

        return Predict(texts, embedder.Embed(texts, cancellationToken));
    }

    private static string Encoder(string modelId) => modelId.Split('/')[0];

    internal double[] Probabilities(string text, float[] embedding)
    {
        var vector = FeatureVectors.Build(FeatureVectors.Extract(text, Parameters.Settings), embedding, Parameters.Settings, Parameters.Idf, Parameters.EmbeddingScale);
        return Parameters.Probabilities(vector);
    }

    internal static SentimentPrediction ToPrediction(double[] p)
    {
        var label = 0;
        for (var c = 1; c < Classes; c++)
        {
            if (p[c] > p[label])
            {
                label = c;
            }
        }

        var score = Math.Clamp(p[(int)SentimentLabel.Bullish] - p[(int)SentimentLabel.Bearish], -1, 1);
        return new SentimentPrediction((SentimentLabel)label, score, Math.Clamp(p[label], 0, 1));
    }

    private static string ComputeVersion(ModelParameters parameters)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            parameters.Write(writer);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()).AsSpan(0, 6));
    }
}

/// <summary>All numbers of a trained model. Arrays are never changed after construction.</summary>
internal sealed class ModelParameters
{
    public required string EmbeddingModel { get; init; }

    public required int EmbeddingDimensions { get; init; }

    public required FeatureSettings Settings { get; init; }

    public required float EmbeddingScale { get; init; }

    public required float[] Idf { get; init; }

    public required LinearLayer Linear { get; init; }

    public required Mlp Network { get; init; }

    /// <summary>Share of the linear model in the averaged logits; the network gets the rest.</summary>
    public required float LinearShare { get; init; }

    public required float Temperature { get; init; }

    public double[] Logits(FeatureVector x)
    {
        var linear = Linear.Logits(x);
        var network = Network.Logits(x.Dense);
        var z = new double[SentimentModel.Classes];
        for (var c = 0; c < z.Length; c++)
        {
            z[c] = (LinearShare * linear[c]) + ((1 - LinearShare) * network[c]);
        }

        return z;
    }

    public double[] Probabilities(FeatureVector x) => ModelMath.Softmax(Logits(x), Temperature);

    public void Write(BinaryWriter w)
    {
        w.Write(EmbeddingModel);
        w.Write(EmbeddingDimensions);
        w.Write(Settings.HashBits);
        w.Write(Settings.MaxWordNgram);
        w.Write(Settings.MinCharNgram);
        w.Write(Settings.MaxCharNgram);
        w.Write(Settings.WordWeight);
        w.Write(Settings.CharWeight);
        w.Write(Settings.LexiconWeight);
        w.Write(EmbeddingScale);
        w.Write(LinearShare);
        w.Write(Temperature);
        ModelMath.WriteArray(w, Idf);
        ModelMath.WriteArray(w, Linear.Sparse);
        ModelMath.WriteArray(w, Linear.Dense);
        ModelMath.WriteArray(w, Linear.Bias);
        w.Write(Network.Inputs);
        w.Write(Network.Hidden);
        ModelMath.WriteArray(w, Network.W1);
        ModelMath.WriteArray(w, Network.B1);
        ModelMath.WriteArray(w, Network.W2);
        ModelMath.WriteArray(w, Network.B2);
    }

    public static ModelParameters Read(BinaryReader r)
    {
        var embeddingModel = r.ReadString();
        var dims = r.ReadInt32();
        var settings = new FeatureSettings(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle());
        if (settings.HashBits is < 4 or > 26)
        {
            throw new InvalidDataException($"Sentiment model has an implausible hash size of 2^{settings.HashBits}.");
        }

        var embeddingScale = r.ReadSingle();
        var share = r.ReadSingle();
        var temperature = r.ReadSingle();
        var idf = ModelMath.ReadArray(r, 1 << settings.HashBits);
        var sparse = ModelMath.ReadArray(r, (1 << settings.HashBits) * SentimentModel.Classes);
        var denseInputs = dims + TextFeaturizer.DenseCount;
        var dense = ModelMath.ReadArray(r, denseInputs * SentimentModel.Classes);
        var bias = ModelMath.ReadArray(r, SentimentModel.Classes);
        var inputs = r.ReadInt32();
        var hidden = r.ReadInt32();
        if (inputs != denseInputs || hidden is < 0 or > 4096)
        {
            throw new InvalidDataException("Sentiment model network shape does not match its embedding size.");
        }

        var network = new Mlp(inputs, hidden, ModelMath.ReadArray(r, inputs * hidden), ModelMath.ReadArray(r, hidden), ModelMath.ReadArray(r, hidden * SentimentModel.Classes), ModelMath.ReadArray(r, SentimentModel.Classes));
        return new ModelParameters
        {
            EmbeddingModel = embeddingModel,
            EmbeddingDimensions = dims,
            Settings = settings,
            EmbeddingScale = embeddingScale,
            Idf = idf,
            Linear = new LinearLayer(sparse, dense, bias),
            Network = network,
            LinearShare = share,
            Temperature = temperature,
        };
    }
}

/// <summary>Multinomial logistic regression over the sparse and dense parts; weights are [feature * 3 + class].</summary>
internal sealed record LinearLayer(float[] Sparse, float[] Dense, float[] Bias)
{
    public double[] Logits(FeatureVector x)
    {
        var z = new double[SentimentModel.Classes];
        for (var c = 0; c < z.Length; c++)
        {
            z[c] = Bias[c];
        }

        var indices = x.Sparse.Indices;
        var values = x.Sparse.Values;
        for (var j = 0; j < indices.Length; j++)
        {
            var o = indices[j] * SentimentModel.Classes;
            var v = values[j];
            z[0] += v * Sparse[o];
            z[1] += v * Sparse[o + 1];
            z[2] += v * Sparse[o + 2];
        }

        for (var j = 0; j < x.Dense.Length; j++)
        {
            var o = j * SentimentModel.Classes;
            var v = x.Dense[j];
            z[0] += v * Dense[o];
            z[1] += v * Dense[o + 1];
            z[2] += v * Dense[o + 2];
        }

        return z;
    }
}

/// <summary>One hidden layer (ReLU) over the dense features. W1 is [hidden * inputs], W2 is [class * hidden].</summary>
internal sealed record Mlp(int Inputs, int Hidden, float[] W1, float[] B1, float[] W2, float[] B2)
{
    public double[] Logits(float[] x)
    {
        var z = new double[SentimentModel.Classes];
        if (Hidden == 0)
        {
            return z;
        }

        var h = new float[Hidden];
        Forward(x, h);
        for (var c = 0; c < z.Length; c++)
        {
            z[c] = B2[c] + ModelMath.Dot(W2.AsSpan(c * Hidden, Hidden), h);
        }

        return z;
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> h)
    {
        for (var k = 0; k < Hidden; k++)
        {
            var a = B1[k] + ModelMath.Dot(W1.AsSpan(k * Inputs, Inputs), x);
            h[k] = a > 0 ? a : 0;
        }
    }
}

internal static class ModelMath
{
    public static double[] Softmax(double[] z, double temperature)
    {
        var max = double.NegativeInfinity;
        foreach (var v in z)
        {
            max = Math.Max(max, v / temperature);
        }

        var p = new double[z.Length];
        double sum = 0;
        for (var c = 0; c < z.Length; c++)
        {
            p[c] = Math.Exp((z[c] / temperature) - max);
            sum += p[c];
        }

        for (var c = 0; c < z.Length; c++)
        {
            p[c] /= sum;
        }

        return p;
    }

    // Fixed-order scalar loop: the result does not depend on the machine's vector width, so training is reproducible everywhere.
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var i = 0;
        for (; i + 4 <= a.Length; i += 4)
        {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }

        for (; i < a.Length; i++)
        {
            s0 += a[i] * b[i];
        }

        return (s0 + s1) + (s2 + s3);
    }

    public static void WriteArray(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        w.Write(bytes);
    }

    public static float[] ReadArray(BinaryReader r, int expectedLength)
    {
        var length = r.ReadInt32();
        if (length != expectedLength)
        {
            throw new InvalidDataException($"Sentiment model array has {length} values where {expectedLength} were expected.");
        }

        var bytes = r.ReadBytes(length * sizeof(float));
        if (bytes.Length != length * sizeof(float))
        {
            throw new InvalidDataException("Sentiment model file is truncated.");
        }

        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return values;
    }
}
