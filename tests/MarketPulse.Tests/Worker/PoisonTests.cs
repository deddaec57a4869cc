using System.Text;
using MarketPulse.Analysis;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using MarketPulse.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Tests.Worker;

/// <summary>Issue 14 item 3: a poison item is set aside after Analysis:MaxAttempts while its batch goes on; only dependency errors pause.</summary>
public sealed class PoisonTests
{
    private const string PoisonMarker = "POISON-PILL";

    [Fact]
    public async Task Item_the_analyser_always_fails_on_is_dead_lettered_after_max_attempts_and_the_rest_of_its_batch_is_analysed()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1, ("Analysis:DisableNearDuplicates", "true"), ("Analysis:MaxAttempts", "2"));
        var good = Enumerable.Range(0, 9).Select(i => WorkerSetup.Item($"Steel maker {i} lifts output guidance by {i * 37} thousand tonnes")).ToList();
        var poison = WorkerSetup.Item($"Quarterly update {PoisonMarker} from a malformed feed");
        var items = good.Take(4).Append(poison).Concat(good.Skip(4)).ToList();

        // Produced before the worker starts, so the poison item arrives in one batch with the good ones.
        await setup.ProduceAsync(items);
        TestAnalyzer? analyzer = null;
        await setup.StartAsync(HostTarget.Analyze, services => services.AddSingleton<ITextAnalyzer>(sp =>
            analyzer = new TestAnalyzer(sp.GetRequiredService<EmbeddedAnalyzer>(), failFirst: 0)));

        Assert.Equal(1, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_failures WHERE item_id = $1", 1, poison.Id));
        Assert.Equal(9, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 9));
        Assert.Equal(9, await setup.CountAsync("SELECT count(*) FROM analysis_results WHERE item_id = ANY($1)", good.Select(g => g.Id).ToArray()));
        Assert.Equal(2, await setup.Databases.ScalarAsync<int>(DatabaseKind.Analytics, "SELECT attempts FROM analysis_failures WHERE item_id = $1", poison.Id));
        Assert.Contains("InvalidOperationException", await setup.Databases.ScalarAsync<string>(DatabaseKind.Analytics, "SELECT error FROM analysis_failures WHERE item_id = $1", poison.Id), StringComparison.Ordinal);
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", poison.Id));

        var dead = Assert.Single(setup.ReadTopic("DeadLetter", 1));
        var letter = DeadLetterMessage.Read(dead.Message);
        Assert.Equal(poison.Key, letter.Key);
        Assert.Equal(2, letter.Attempts);
        Assert.Equal(setup.Topic("Sentiment"), letter.SourceTopic);
        Assert.Contains(PoisonMarker, Encoding.UTF8.GetString(letter.Value), StringComparison.Ordinal);
        Assert.Equal(poison.Id, ItemMessage.Deserialize(letter.Value).Id);

        // The poison item alone was analysed exactly MaxAttempts times.
        Assert.Equal(2, analyzer!.PoisonAlone);
    }

    [Fact]
    public async Task Analyser_unreachable_for_a_while_pauses_the_batch_and_then_everything_is_analysed_nothing_dead_lettered()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1, ("Analysis:DisableNearDuplicates", "true"), ("Analysis:MaxAttempts", "2"));
        var items = Enumerable.Range(0, 8).Select(i => WorkerSetup.Item($"Cement company {i} raises prices by {i * 13} rupees a bag")).ToList();
        await setup.ProduceAsync(items);
        TestAnalyzer? analyzer = null;
        await setup.StartAsync(HostTarget.Analyze, services => services.AddSingleton<ITextAnalyzer>(sp =>
            analyzer = new TestAnalyzer(sp.GetRequiredService<EmbeddedAnalyzer>(), failFirst: 5)));

        Assert.Equal(8, await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results", 8));
        Assert.Equal(8, await setup.CountAsync("SELECT count(*) FROM analysis_results WHERE item_id = ANY($1)", items.Select(i => i.Id).ToArray()));
        Assert.Equal(0, await setup.CountAsync("SELECT count(*) FROM analysis_failures"));
        Assert.True(analyzer!.Calls > 5, $"the analyser was called {analyzer.Calls} times");
        Assert.Empty(setup.ReadTopic("DeadLetter", 0));
    }

    /// <summary>
    /// The embedded analyser, except: the first <c>failFirst</c> calls throw <see cref="HttpRequestException"/> (an
    /// analyser out of reach), and a request whose text has the poison marker throws <see cref="InvalidOperationException"/>.
    /// </summary>
    private sealed class TestAnalyzer(EmbeddedAnalyzer inner, int failFirst) : ITextAnalyzer
    {
        private int _calls;
        private int _poisonAlone;

        public string Name => inner.Name;

        public int Calls => Volatile.Read(ref _calls);

        public int PoisonAlone => Volatile.Read(ref _poisonAlone);

        public Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) <= failFirst)
            {
                throw new HttpRequestException("connection refused (test)");
            }

            if (requests.Any(r => r.Text.Contains(PoisonMarker, StringComparison.Ordinal)))
            {
                if (requests.Count == 1)
                {
                    Interlocked.Increment(ref _poisonAlone);
                }

                throw new InvalidOperationException("the analyser cannot handle this text (test)");
            }

            return inner.AnalyzeAsync(requests, cancellationToken);
        }
    }
}
