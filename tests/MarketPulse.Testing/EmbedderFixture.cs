using MarketPulse.Analysis.Embeddings;

namespace MarketPulse.Testing;

/// <summary>
/// One MiniLM embedder for all sentiment tests of a test assembly: loading it takes a second and a few hundred MB.
/// Each test assembly declares its own xunit collection of it (xunit finds collection definitions only in the tests' assembly).
/// </summary>
public sealed class EmbedderFixture : IDisposable
{
    // The precision the service runs by default (Analysis:EmbeddingPrecision).
    public MiniLmEmbedder Embedder { get; } = new(EmbeddingPrecision.Int8);

    public void Dispose() => Embedder.Dispose();
}
