using MarketPulse.Analysis.Dedup;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Testing;

namespace MarketPulse.Analysis.Tests.Dedup;

public sealed class MiniLmParaphraseTests(RedisFixture fixture) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly string _prefix = TestStack.UniqueName("dedup_minilm");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => fixture.DeleteAsync(_prefix);

    [Theory]
    [InlineData(EmbeddingPrecision.Float32)]
    [InlineData(EmbeddingPrecision.Int8)]
    public async Task Real_embeddings_of_a_reworded_headline_are_near_duplicates_and_a_looser_paraphrase_is_not(EmbeddingPrecision precision)
    {
        using var embedder = new MiniLmEmbedder(precision);
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        // all-MiniLM-L6-v2 cosines to the first two texts, measured: 0.981, 0.976, 0.937, 0.906.
        string[] texts =
        [
            "Tesla recalls 2 million vehicles over Autopilot safety concerns",
            "Apple shares jump 5% after earnings beat",
            "Tesla recalls two million vehicles over Autopilot safety concerns - Reuters",
            "Breaking: Apple shares jump 5% after earnings beat",
            "Apple stock jumps 5% after beating earnings",
            "Tesla recalls 2 million vehicles over Autopilot safety concerns, shares fall",
        ];
        var vectors = embedder.Embed(texts);

        var decisions = new List<DedupDecision>();
        for (var i = 0; i < texts.Length; i++)
        {
            decisions.Add(await index.CheckNearAsync($"t{i}", vectors[i], embedder.ModelId, CancellationToken.None));
        }

        Assert.Equal(DedupOutcome.Original, decisions[0].Outcome);
        Assert.Equal(DedupOutcome.Original, decisions[1].Outcome);
        Assert.Equal((DedupOutcome.NearDuplicate, "t0"), (decisions[2].Outcome, decisions[2].OriginalId));
        Assert.Equal((DedupOutcome.NearDuplicate, "t1"), (decisions[3].Outcome, decisions[3].OriginalId));
        Assert.Equal(DedupOutcome.Original, decisions[4].Outcome);
        Assert.Equal(DedupOutcome.Original, decisions[5].Outcome);
    }
}
