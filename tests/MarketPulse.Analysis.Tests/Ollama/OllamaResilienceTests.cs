using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Analysis.Tests.Sentiment;
using MarketPulse.Testing;

namespace MarketPulse.Analysis.Tests.Ollama;

/// <summary>
/// The resilience handler as the pipeline sees it: the Ollama analyser behind <see cref="FallbackAnalyzer"/>,
/// the real embedded analyser as the fallback, the stand-in as the server.
/// </summary>
[Collection(EmbedderCollection.Name)]
public sealed class OllamaResilienceTests(EmbedderFixture fixture)
{
    private static readonly AnalysisRequest[] Batch =
    [
        new("HDFC Bank beats estimates", "news"),
        new("Rupee slides to a record low", "news"),
    ];

    private static readonly Lazy<SentimentModel> Model = new(SentimentModel.LoadEmbedded);

    [Fact]
    public async Task Failed_attempts_open_the_circuit_and_fallback_mode_answers_from_the_embedded_analyser()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Error(500, "llama runner process has terminated"));
        var analyzer = Compose(server.Endpoint, FallbackMode.Fallback, 1);

        var whileFailing = await analyzer.AnalyzeAsync(Batch, CancellationToken.None);
        var callsWhenOpened = server.Calls.Count;
        var whileOpen = await analyzer.AnalyzeAsync(Batch, CancellationToken.None);

        Assert.All(whileFailing.Concat(whileOpen), r => Assert.Equal(EmbeddedAnalyzer.AnalyzerName, r.Analyzer));
        Assert.Equal(2, whileOpen.Count);
        Assert.InRange(callsWhenOpened, 2, 3);
        Assert.Equal(callsWhenOpened, server.Calls.Count);
    }

    [Fact]
    public async Task Wait_mode_retries_a_transient_failure_and_answers_from_ollama()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            call.Number == 1 ? FakeReply.Error(503, "server busy, please try again.  maximum pending requests exceeded") : FakeReply.Content(Answers.Valid()));
        var analyzer = Compose(server.Endpoint, FallbackMode.Wait, 1);

        var result = Assert.Single(await analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));

        Assert.Equal(OllamaAnalyzer.AnalyzerName, result.Analyzer);
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task Wait_mode_surfaces_the_open_circuit_with_the_time_to_wait_and_calls_nothing()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Error(500, "out of memory"));
        var analyzer = Compose(server.Endpoint, FallbackMode.Wait, 0, TimeSpan.FromMinutes(2));

        for (var i = 0; i < 2; i++)
        {
            var failed = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));
            Assert.Contains("out of memory", failed.Message, StringComparison.Ordinal);
        }

        var open = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync(Batch, CancellationToken.None));

        Assert.InRange(open.RetryAfter.GetValueOrDefault(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task A_success_between_failures_keeps_the_circuit_closed()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            call.Number == 2 ? FakeReply.Content(Answers.Valid()) : FakeReply.Error(500, "out of memory"));
        var analyzer = Compose(server.Endpoint, FallbackMode.Wait, 0);

        await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));
        await analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None);
        await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));
        var stillClosed = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));

        Assert.Null(stillClosed.RetryAfter);
        Assert.Equal(4, server.Calls.Count);
    }

    [Fact]
    public async Task After_the_break_one_trial_goes_first_and_its_success_lets_the_batch_follow()
    {
        var healthy = false;
        await using var server = await FakeOllamaServer.StartAsync(_ =>
            Volatile.Read(ref healthy) ? FakeReply.Content(Answers.Valid()) : FakeReply.Error(500, "out of memory"));
        var clock = new ManualTimeProvider();
        var analyzer = Compose(server.Endpoint, FallbackMode.Wait, 1, TimeSpan.FromSeconds(30), clock);

        await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));
        Volatile.Write(ref healthy, true);
        await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));
        Assert.Equal(2, server.Calls.Count);

        clock.Advance(TimeSpan.FromSeconds(31));
        var results = await analyzer.AnalyzeAsync([Batch[0], Batch[1], Batch[0]], CancellationToken.None);

        Assert.All(results, r => Assert.Equal(OllamaAnalyzer.AnalyzerName, r.Analyzer));
        Assert.Equal(5, server.Calls.Count);
    }

    [Fact]
    public async Task A_failed_trial_opens_the_circuit_again()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Error(500, "out of memory"));
        var clock = new ManualTimeProvider();
        var analyzer = Compose(server.Endpoint, FallbackMode.Wait, 0, TimeSpan.FromSeconds(30), clock);
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Batch[0]], CancellationToken.None));
        }

        clock.Advance(TimeSpan.FromSeconds(31));
        var trial = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync(Batch, CancellationToken.None));
        var reopened = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync(Batch, CancellationToken.None));

        Assert.Contains("out of memory", trial.Message, StringComparison.Ordinal);
        Assert.NotNull(reopened.RetryAfter);
        Assert.Equal(3, server.Calls.Count);
    }

    // Two failed attempts open the circuit.
    private FallbackAnalyzer Compose(Uri endpoint, FallbackMode mode, int maxRetries, TimeSpan? breakDuration = null, TimeProvider? clock = null) =>
        new(
            OllamaAnalyzerTests.CreateAnalyzer(endpoint, o =>
            {
                o.MaxRetries = maxRetries;
                o.CircuitBreakerFailures = 2;
                o.CircuitBreakerDuration = breakDuration ?? TimeSpan.FromMinutes(1);
            }, clock),
            new EmbeddedAnalyzer(fixture.Embedder, Model.Value, new EntityExtractor(SecurityCatalog.Empty)),
            mode);
}
