using MarketPulse.Hosting;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Foundation;

namespace MarketPulse.Tests.Worker;

/// <summary><c>marketpulse replay</c>, run as the real CLI against databases a running service uses.</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class ReplayTests
{
    [Fact]
    public async Task Replay_queues_items_without_an_outcome_and_the_service_analyses_them()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 2);
        var app = await setup.StartAsync(HostTarget.All);
        var first = await WorkerSetup.JsonAsync(await app.PostSignedAsync("news", """
            {"title": "Wipro wins a large cloud deal from a European bank", "summary": "The contract runs for five years.", "url": "https://example.com/wipro-deal", "published_at": "2026-11-29T07:00:00Z"}
            """));
        var analysed = first.GetProperty("accepted")[0].GetProperty("id").GetGuid();
        Assert.Equal(1, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", 1, analysed));

        // An item the broker lost: stored in the raw database, never published (as after a restart of the in-memory broker).
        var lost = Guid.CreateVersion7();
        await using (var connection = new Npgsql.NpgsqlConnection(setup.Databases[DatabaseKind.Raw]))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand("""
                INSERT INTO raw_items (id, source, external_id, kind, text, received_at, raw)
                VALUES ($1, 'news', 'lost-1', 'text', 'Asian Paints cuts prices as raw material costs ease', now(), '{}')
                """, connection);
            insert.Parameters.AddWithValue(lost);
            await insert.ExecuteNonQueryAsync();
        }

        var environment = Enum.GetValues<DatabaseKind>()
            .Select(kind => new KeyValuePair<string, string?>($"ConnectionStrings__{kind}", setup.Databases[kind]))
            .ToList();
        using var replay = await MarketPulseProcess.RunAsync(["replay"], environment);
        Assert.True(await replay.WaitForExitAsync() == 0, replay.Describe());
        Assert.Contains(replay.StandardOutput, l => l.StartsWith("replay: 1 item(s) queued for analysis out of 2", StringComparison.Ordinal));

        // The running service's outbox publisher sends it; its worker analyses it.
        Assert.Equal(1, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", 1, lost));
        Assert.Equal(2, await setup.CountAsync("SELECT count(*) FROM analysis_results"));

        // A range with --reanalyze queues both, flagged; the worker analyses them again without duplicating rows.
        using var reanalyze = await MarketPulseProcess.RunAsync(["replay", "--from", "2000-01-01T00:00:00Z", "--to", "2100-01-01T00:00:00Z", "--reanalyze"], environment);
        Assert.True(await reanalyze.WaitForExitAsync() == 0, reanalyze.Describe());
        Assert.Contains(reanalyze.StandardOutput, l => l.StartsWith("replay: 2 item(s) queued for re-analysis", StringComparison.Ordinal));
        Assert.Equal(0, await WaitForEmptyOutboxAsync(setup));
        Assert.Equal(2, await setup.CountAsync("SELECT count(*) FROM analysis_results"));
    }

    [Fact]
    public async Task Reanalyze_without_a_range_is_a_usage_error()
    {
        using var replay = await MarketPulseProcess.RunAsync(["replay", "--reanalyze"], []);
        Assert.Equal(2, await replay.WaitForExitAsync());
        Assert.Contains(replay.StandardError, l => l.Contains("--reanalyze needs a range", StringComparison.Ordinal));
    }

    private static Task<long> WaitForEmptyOutboxAsync(WorkerSetup setup) =>
        Poll.UntilAsync(() => setup.Databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM outbox"), count => count == 0);
}
