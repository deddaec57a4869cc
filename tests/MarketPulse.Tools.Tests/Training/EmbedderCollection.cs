using MarketPulse.Testing;

namespace MarketPulse.Tools.Tests.Training;

[CollectionDefinition(Name)]
public sealed class EmbedderCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "MiniLM embedder";
}
