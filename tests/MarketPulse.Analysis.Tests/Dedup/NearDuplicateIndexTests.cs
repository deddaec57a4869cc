using MarketPulse.Analysis.Dedup;
using MarketPulse.Testing;
using MarketPulse.Tools.Benchmarks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MarketPulse.Analysis.Tests.Dedup;

public sealed class NearDuplicateIndexTests(RedisFixture fixture) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly string _prefix = TestStack.UniqueName("dedup");
    private readonly Random _random = new(20240611);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => fixture.DeleteAsync(_prefix);

    [Fact]
    public async Task Exact_copy_is_reported_as_duplicate_of_the_first_item()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var first = await index.CheckExactAsync("tweet-1", TextFingerprint.Hash("Apple beats earnings! https://t.co/a"), CancellationToken.None);
        var copy = await index.CheckExactAsync("tweet-2", TextFingerprint.Hash("RT @bob: apple beats earnings https://t.co/b"), CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, first.Outcome);
        Assert.Equal(new DedupDecision(DedupOutcome.ExactDuplicate, "tweet-1", 1.0), copy);
    }

    [Fact]
    public async Task Exact_copy_is_caught_by_the_hash_alone_and_adds_no_vector()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var hash = TextFingerprint.Hash("Fed holds rates");

        var first = await index.CheckExactAsync("a", hash, CancellationToken.None);
        await index.CheckNearAsync("a", SyntheticVectors.RandomUnit(_random, Dedup.Dimensions), Dedup.Model, CancellationToken.None);
        var copy = await index.CheckExactAsync("b", hash, CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, first.Outcome);
        Assert.Equal((DedupOutcome.ExactDuplicate, "a"), (copy.Outcome, copy.OriginalId));
        Assert.Equal(1, await VectorsInRedisAsync());
    }

    [Fact]
    public async Task Retried_checks_of_the_same_item_do_not_call_it_a_copy_of_itself()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var hash = TextFingerprint.Hash("Oil falls 3%");
        var vector = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);

        await index.CheckExactAsync("item", hash, CancellationToken.None);
        await index.CheckNearAsync("item", vector, Dedup.Model, CancellationToken.None);
        var exactAgain = await index.CheckExactAsync("item", hash, CancellationToken.None);
        var nearAgain = await index.CheckNearAsync("item", vector, Dedup.Model, CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, exactAgain.Outcome);
        Assert.Equal(DedupOutcome.Original, nearAgain.Outcome);
        Assert.Equal(1, await VectorsInRedisAsync());
    }

    [Fact]
    public async Task Vector_at_similarity_0_96_is_a_near_duplicate()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var original = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);
        var close = SyntheticVectors.AtSimilarity(_random, original, 0.96);

        await index.CheckNearAsync("orig", original, Dedup.Model, CancellationToken.None);
        var decision = await index.CheckNearAsync("close", close, Dedup.Model, CancellationToken.None);

        Assert.Equal(DedupOutcome.NearDuplicate, decision.Outcome);
        Assert.Equal("orig", decision.OriginalId);
        Assert.InRange(decision.Similarity, 0.955, 0.965);
    }

    [Fact]
    public async Task Vector_at_similarity_0_94_is_an_original_and_is_indexed()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var original = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);
        var apart = SyntheticVectors.AtSimilarity(_random, original, 0.94);

        await index.CheckNearAsync("orig", original, Dedup.Model, CancellationToken.None);
        var decision = await index.CheckNearAsync("apart", apart, Dedup.Model, CancellationToken.None);
        var copyOfApart = await index.CheckNearAsync("copy", apart, Dedup.Model, CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, decision.Outcome);
        Assert.Null(decision.OriginalId);
        Assert.Equal(DedupOutcome.NearDuplicate, copyOfApart.Outcome);
        Assert.Equal("apart", copyOfApart.OriginalId);
    }

    [Fact]
    public async Task Threshold_is_configurable()
    {
        var options = Dedup.Options(_prefix);
        options.Threshold = 0.9;
        using var index = Dedup.Index(fixture.Redis, options);
        var original = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);

        await index.CheckNearAsync("orig", original, Dedup.Model, CancellationToken.None);
        var decision = await index.CheckNearAsync("loose", SyntheticVectors.AtSimilarity(_random, original, 0.93), Dedup.Model, CancellationToken.None);

        Assert.Equal(DedupOutcome.NearDuplicate, decision.Outcome);
    }

    [Fact]
    public async Task Unrelated_vectors_are_all_originals()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var outcomes = new List<DedupOutcome>();
        for (var i = 0; i < 200; i++)
        {
            var decision = await index.CheckNearAsync($"item-{i}", SyntheticVectors.RandomUnit(_random, Dedup.Dimensions), Dedup.Model, CancellationToken.None);
            outcomes.Add(decision.Outcome);
        }

        Assert.All(outcomes, o => Assert.Equal(DedupOutcome.Original, o));
        Assert.Equal(200, await VectorsInRedisAsync());
    }

    [Fact]
    public async Task Vectors_of_another_model_are_never_compared()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var vector = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);

        await index.CheckNearAsync("a", vector, "model-a", CancellationToken.None);
        var other = await index.CheckNearAsync("b", vector, "model-b", CancellationToken.None);
        var same = await index.CheckNearAsync("c", vector, "model-a", CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, other.Outcome);
        Assert.Equal(DedupOutcome.NearDuplicate, same.Outcome);
        Assert.Equal("a", same.OriginalId);
    }

    [Fact]
    public async Task Item_older_than_the_window_is_no_longer_matched()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix), clock);
        var vector = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);
        var hash = TextFingerprint.Hash("ECB cuts rates");

        await index.CheckExactAsync("old", hash, CancellationToken.None);
        await index.CheckNearAsync("old", vector, Dedup.Model, CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(71));
        var withinExact = await index.CheckExactAsync("in-window", hash, CancellationToken.None);
        var withinNear = await index.CheckNearAsync("in-window", vector, Dedup.Model, CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(2));
        var afterExact = await index.CheckExactAsync("late", hash, CancellationToken.None);
        var afterNear = await index.CheckNearAsync("late", vector, Dedup.Model, CancellationToken.None);

        Assert.Equal((DedupOutcome.ExactDuplicate, "old"), (withinExact.Outcome, withinExact.OriginalId));
        Assert.Equal((DedupOutcome.NearDuplicate, "old"), (withinNear.Outcome, withinNear.OriginalId));
        Assert.Equal(DedupOutcome.Original, afterExact.Outcome);
        Assert.Equal(DedupOutcome.Original, afterNear.Outcome);
        var again = await index.CheckNearAsync("again", vector, Dedup.Model, CancellationToken.None);
        Assert.Equal((DedupOutcome.NearDuplicate, "late"), (again.Outcome, again.OriginalId));
    }

    [Fact]
    public async Task Keys_expire_from_redis_after_the_window()
    {
        var options = Dedup.Options(_prefix);
        options.Window = TimeSpan.FromSeconds(1);
        using var index = Dedup.Index(fixture.Redis, options);
        await index.CheckExactAsync("x", TextFingerprint.Hash("short lived"), CancellationToken.None);
        await index.CheckNearAsync("x", SyntheticVectors.RandomUnit(_random, Dedup.Dimensions), Dedup.Model, CancellationToken.None);
        var before = await fixture.KeysAsync(_prefix);
        // Every key has a TTL of at most two windows (or, on a slow machine, is already gone): none lives forever.
        Assert.All(before, key =>
        {
            var db = fixture.Redis.GetDatabase();
            Assert.True(db.KeyTimeToLive(key) is { } ttl ? ttl <= TimeSpan.FromSeconds(2) : !db.KeyExists(key), $"{key} has no expiry");
        });

        // Band keys live until their bucket's end plus the window: at most two windows. Polled, not slept.
        var remaining = await Poll.UntilAsync(() => fixture.KeysAsync(_prefix), keys => keys.Count == 0, TimeSpan.FromSeconds(30));

        Assert.NotEmpty(before);
        Assert.Empty(remaining);
    }

    [Fact]
    public async Task An_insert_into_existing_band_fields_appends_and_every_band_key_keeps_a_ttl()
    {
        var options = Dedup.Options(_prefix);
        using var index = Dedup.Index(fixture.Redis, options);
        var first = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);
        await index.CheckNearAsync("x", first, Dedup.Model, CancellationToken.None);

        // A similar original shares band fields with the first (appended to) and creates others (set with a TTL).
        var similar = await index.CheckNearAsync("y", SyntheticVectors.AtSimilarity(_random, first, 0.94), Dedup.Model, CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, similar.Outcome);
        Assert.Equal(2 * options.Bands, await BandHandlesAsync());
        Assert.Contains(await HandlesPerBandFieldAsync(), handles => handles > 1); // a field both vectors share
        var db = fixture.Redis.GetDatabase();
        var bandKeys = await BandKeysAsync();
        Assert.NotEmpty(bandKeys);
        Assert.All(bandKeys, key => Assert.True(db.KeyTimeToLive(key) is { } ttl && ttl <= 2 * options.Window, $"{key} has no expiry"));
    }

    [Fact]
    public async Task Oldest_item_is_evicted_when_the_cap_is_reached()
    {
        var options = Dedup.Options(_prefix);
        options.MaxVectors = 3;
        var clock = new ManualTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var index = Dedup.Index(fixture.Redis, options, clock);
        var vectors = Enumerable.Range(0, 4).Select(_ => SyntheticVectors.RandomUnit(_random, Dedup.Dimensions)).ToArray();
        for (var i = 0; i < vectors.Length; i++)
        {
            await index.CheckNearAsync($"item-{i}", vectors[i], Dedup.Model, CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var copyOfSecond = await index.CheckNearAsync("copy-1", vectors[1], Dedup.Model, CancellationToken.None);
        var copyOfFirst = await index.CheckNearAsync("copy-0", vectors[0], Dedup.Model, CancellationToken.None);

        Assert.Equal((DedupOutcome.NearDuplicate, "item-1"), (copyOfSecond.Outcome, copyOfSecond.OriginalId));
        Assert.Equal(DedupOutcome.Original, copyOfFirst.Outcome);
        Assert.Equal(3, await VectorsInRedisAsync());
    }

    [Fact]
    public async Task Band_entries_of_an_evicted_item_are_removed_when_a_look_up_meets_them()
    {
        var options = Dedup.Options(_prefix);
        options.MaxVectors = 1;
        using var index = Dedup.Index(fixture.Redis, options);
        var a = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);
        await index.CheckNearAsync("a", a, Dedup.Model, CancellationToken.None);
        await index.CheckNearAsync("b", SyntheticVectors.RandomUnit(_random, Dedup.Dimensions), Dedup.Model, CancellationToken.None);
        var before = await BandHandlesAsync();

        // "a" was evicted by "b"; its copy meets a's stale entries in every band, drops them, and is indexed itself.
        var copyOfA = await index.CheckNearAsync("a-copy", a, Dedup.Model, CancellationToken.None);
        var after = await BandHandlesAsync();

        Assert.Equal(DedupOutcome.Original, copyOfA.Outcome);
        Assert.Equal(2 * options.Bands, before);
        Assert.Equal(2 * options.Bands, after); // b's (now stale too) and a-copy's, not a's
    }

    /// <summary>Band keys (hashes of band fields) under this test's prefix.</summary>
    private async Task<List<RedisKey>> BandKeysAsync() =>
        (await fixture.KeysAsync(_prefix)).Where(k => k.ToString().Contains("}:b:", StringComparison.Ordinal)).ToList();

    /// <summary>The number of handles packed in each band field under this test's prefix.</summary>
    private async Task<List<int>> HandlesPerBandFieldAsync()
    {
        var counts = new List<int>();
        foreach (var key in await BandKeysAsync())
        {
            counts.AddRange((await fixture.Redis.GetDatabase().HashGetAllAsync(key)).Select(entry => ((byte[])entry.Value!).Length / 4));
        }

        return counts;
    }

    private async Task<int> BandHandlesAsync() => (await HandlesPerBandFieldAsync()).Sum();

    [Fact]
    public async Task Concurrent_copies_of_one_vector_give_exactly_one_original()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var vector = SyntheticVectors.RandomUnit(_random, Dedup.Dimensions);
        var copies = Enumerable.Range(0, 64).Select(i => SyntheticVectors.AtSimilarity(new Random(i), vector, 0.99)).ToArray();

        var decisions = await Task.WhenAll(copies.Select((v, i) =>
            Task.Run(() => index.CheckNearAsync($"copy-{i}", v, Dedup.Model, CancellationToken.None))));

        var originals = decisions.Select((d, i) => (d, i)).Where(x => x.d.Outcome == DedupOutcome.Original).ToList();
        var original = Assert.Single(originals);
        Assert.All(decisions.Where(d => d.IsDuplicate), d => Assert.Equal($"copy-{original.i}", d.OriginalId));
    }

    [Fact]
    public async Task Concurrent_exact_copies_give_exactly_one_original()
    {
        using var index = Dedup.Index(fixture.Redis, Dedup.Options(_prefix));
        var hash = TextFingerprint.Hash("Nvidia hits record high");

        var decisions = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => index.CheckExactAsync($"copy-{i}", hash, CancellationToken.None))));

        Assert.Single(decisions, d => d.Outcome == DedupOutcome.Original);
        Assert.Equal(63, decisions.Count(d => d.Outcome == DedupOutcome.ExactDuplicate));
    }

    [Fact]
    public async Task Invalid_options_fail_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dedup:Threshold"] = "1.5",
            ["Dedup:Window"] = "00:00:00",
            ["Dedup:KeyPrefix"] = "{bad}",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(fixture.Redis)
            .AddLogging()
            .AddDedup();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DedupOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("Threshold", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Window", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("KeyPrefix", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Registered_index_resolves_with_valid_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dedup:KeyPrefix"] = _prefix,
            ["Dedup:Window"] = "12:00:00",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(fixture.Redis)
            .AddLogging()
            .AddMetrics()
            .AddDedup();
        await using var provider = services.BuildServiceProvider();
        var index = provider.GetRequiredService<NearDuplicateIndex>();

        var decision = await index.CheckNearAsync("x", SyntheticVectors.RandomUnit(_random, Dedup.Dimensions), Dedup.Model, CancellationToken.None);

        Assert.Equal(DedupOutcome.Original, decision.Outcome);
        Assert.Equal(TimeSpan.FromHours(12), provider.GetRequiredService<IOptions<DedupOptions>>().Value.Window);
    }

    /// <summary>Vectors stored under this test's prefix (one key each).</summary>
    private async Task<int> VectorsInRedisAsync() =>
        (await fixture.KeysAsync(_prefix)).Count(k => k.ToString().Contains("}:v:", StringComparison.Ordinal));
}
