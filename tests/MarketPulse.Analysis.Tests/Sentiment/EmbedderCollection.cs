using MarketPulse.Testing;

namespace MarketPulse.Analysis.Tests.Sentiment;

[CollectionDefinition(Name)]
public sealed class EmbedderCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "MiniLM embedder";
}
