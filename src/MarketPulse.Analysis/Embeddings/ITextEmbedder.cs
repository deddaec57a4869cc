namespace MarketPulse.Analysis.Embeddings;

/// <summary>Turns texts into unit-length vectors; a dot product of two of them is their cosine similarity.</summary>
public interface ITextEmbedder
{
    /// <summary>Identifies the model; vectors of different models are never compared.</summary>
    string ModelId { get; }

    /// <summary>Length of every vector.</summary>
    int Dimensions { get; }

    /// <summary>Embeds a batch, in order.</summary>
    float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);

    /// <summary>
    /// Embeds a batch, in order, and gives each text's word pieces with the encoder's output for each (null from an
    /// embedder that has none), from the same pass: the entity tagger reads them.
    /// </summary>
    (float[][] Vectors, TokenStates?[] Tokens) EmbedWithTokens(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        (Embed(texts, cancellationToken), new TokenStates?[texts.Count]);
}
