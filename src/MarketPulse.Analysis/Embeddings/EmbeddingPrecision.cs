namespace MarketPulse.Analysis.Embeddings;

/// <summary>How the MiniLM encoder computes its weight products (docs/sentiment-model.md has the measured cost and error).</summary>
public enum EmbeddingPrecision
{
    /// <summary>The model as shipped in the package.</summary>
    Float32,

    /// <summary>Int8 weights (<see cref="OnnxInt8Quantizer"/>) in every attention and feed-forward product but the feed-forward output.</summary>
    Int8,

    /// <summary>Int8 weights in every weight product, the feed-forward output too: faster, further from float32 (measured, not the default).</summary>
    Int8All,
}
