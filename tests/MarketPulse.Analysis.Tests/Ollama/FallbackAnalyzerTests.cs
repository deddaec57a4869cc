using MarketPulse.Analysis.Ollama;

namespace MarketPulse.Analysis.Tests.Ollama;

public sealed class FallbackAnalyzerTests
{
    private static readonly AnalysisRequest[] Batch =
    [
        new("HDFC Bank beats estimates", "news"),
        new("garbled: rupee slides to record low", "news"),
        new("Gold steady ahead of Fed minutes", "news"),
    ];

    [Fact]
    public async Task Wait_mode_surfaces_unavailability_without_using_the_fallback()
    {
        var ollama = OllamaAnalyzerTests.CreateAnalyzer(FakeOllamaServer.RefusingEndpoint(), o => o.MaxRetries = 0);
        var embedded = new RecordingAnalyzer();
        var analyzer = new FallbackAnalyzer(ollama, embedded, FallbackMode.Wait);

        await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync(Batch, CancellationToken.None));

        Assert.Empty(embedded.Seen);
    }

    [Fact]
    public async Task Fallback_mode_sends_the_batch_to_the_embedded_analyser_while_ollama_is_down()
    {
        var ollama = OllamaAnalyzerTests.CreateAnalyzer(FakeOllamaServer.RefusingEndpoint(), o => o.MaxRetries = 0);
        var embedded = new RecordingAnalyzer();
        var analyzer = new FallbackAnalyzer(ollama, embedded, FallbackMode.Fallback);

        var results = await analyzer.AnalyzeAsync(Batch, CancellationToken.None);

        Assert.Equal(Batch, embedded.Seen);
        Assert.All(results, r => Assert.Equal("embedded", r.Analyzer));
    }

    [Fact]
    public async Task Fallback_mode_keeps_ollama_results_and_fills_only_rejected_items()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            FakeReply.Content(call.ItemText.StartsWith("garbled", StringComparison.Ordinal) ? "{}" : Answers.Valid()));
        var ollama = OllamaAnalyzerTests.CreateAnalyzer(server.Endpoint);
        var embedded = new RecordingAnalyzer();
        var analyzer = new FallbackAnalyzer(ollama, embedded, FallbackMode.Fallback);

        var results = await analyzer.AnalyzeAsync(Batch, CancellationToken.None);

        Assert.Equal(["ollama", "embedded", "ollama"], results.Select(r => r.Analyzer));
        Assert.Equal([Batch[1]], embedded.Seen);
        Assert.Equal("granite3.3:8b", results[0].Model);
        Assert.Equal("minilm-test", results[1].Model);
    }

    [Fact]
    public async Task Wait_mode_surfaces_rejected_answers()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content("[]"));
        var ollama = OllamaAnalyzerTests.CreateAnalyzer(server.Endpoint);
        var analyzer = new FallbackAnalyzer(ollama, new RecordingAnalyzer(), FallbackMode.Wait);

        await Assert.ThrowsAsync<AnalysisFailedException>(() => analyzer.AnalyzeAsync(Batch, CancellationToken.None));
    }

    /// <summary>Stands in for the embedded analyser: answers Neutral and records what it was given.</summary>
    private sealed class RecordingAnalyzer : ITextAnalyzer
    {
        public List<AnalysisRequest> Seen { get; } = [];

        public string Name => "embedded";

        public Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken)
        {
            Seen.AddRange(requests);
            IReadOnlyList<AnalysisResult> results =
            [
                .. requests.Select(_ => new AnalysisResult(SentimentLabel.Neutral, 0, 0.5, AssetClass.Macro, [], "embedded", "minilm-test", "embedded-v1")),
            ];
            return Task.FromResult(results);
        }
    }
}
