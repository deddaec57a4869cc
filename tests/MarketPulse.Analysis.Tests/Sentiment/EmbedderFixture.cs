using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Analysis.Tests.Sentiment;

/// <summary>One MiniLM embedder for all sentiment tests: loading it takes a second and a few hundred MB.</summary>
public sealed class EmbedderFixture : IDisposable
{
    // The precision the service runs by default (Analysis:EmbeddingPrecision).
    public MiniLmEmbedder Embedder { get; } = new(EmbeddingPrecision.Int8);

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EmbedderCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "MiniLM embedder";
}
