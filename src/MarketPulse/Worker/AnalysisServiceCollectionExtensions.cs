using MarketPulse.Analysis;
using MarketPulse.Analysis.Dedup;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Outbox;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MarketPulse.Worker;

public static class AnalysisServiceCollectionExtensions
{
    /// <summary>
    /// The analysers (embedded, Ollama, and the configured choice as <see cref="ITextAnalyzer"/>), loaded
    /// once per process. The embedding model and the securities lists are loaded at start, not on the first item.
    /// </summary>
    public static IServiceCollection AddAnalyzers(this IServiceCollection services)
    {
        services.AddOptions<AnalysisWorkerOptions>().BindConfiguration(AnalysisWorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ITextEmbedder>(sp => new MiniLmEmbedder(sp.GetRequiredService<IOptions<AnalysisWorkerOptions>>().Value.EmbeddingPrecision));
        services.AddSingleton(_ => SentimentModel.LoadEmbedded());
        services.AddSingleton(sp => SecurityCatalog.Load(
            sp.GetRequiredService<IOptions<AnalysisWorkerOptions>>().Value.SecuritiesFolder is { Length: > 0 } folder ? folder : null,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("MarketPulse.Entities")));
        services.AddSingleton(sp => new EntityExtractor(sp.GetRequiredService<SecurityCatalog>(), EntityTagger.LoadEmbedded()));
        services.AddSingleton<EmbeddedAnalyzer>();
        services.AddOllamaAnalyzer();
        // TryAdd: a host (a test) may register its own analyser first.
        services.TryAddSingleton<ITextAnalyzer>(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<AnalysisWorkerOptions>>().Value.Analyzer;
            var ollamaEndpoint = sp.GetRequiredService<IConfiguration>()["Ollama:Endpoint"];
            var useOllama = configured == "ollama" || (string.IsNullOrEmpty(configured) && !string.IsNullOrEmpty(ollamaEndpoint));
            var embedded = sp.GetRequiredService<EmbeddedAnalyzer>();
            if (!useOllama)
            {
                return embedded;
            }

            var ollama = sp.GetRequiredKeyedService<ITextAnalyzer>("ollama");
            return new FallbackAnalyzer(ollama, embedded, sp.GetRequiredService<IOptions<OllamaOptions>>().Value.Fallback, sp.GetService<ILogger<FallbackAnalyzer>>());
        });
        services.AddHostedService<AnalyzerWarmup>();
        return services;
    }

    /// <summary>The Kafka consumer worker with its duplicate gate, pipeline and analytics store.</summary>
    public static IServiceCollection AddAnalysisWorker(this IServiceCollection services)
    {
        services.AddDedup();
        services.AddSingleton<DuplicateGate>();
        services.TryAddSingleton<AnalyticsStore>();
        services.AddSingleton<WorkerMetrics>();
        services.AddSingleton<AnalysisPipeline>();
        services.AddSingleton<ResultsOutboxPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ResultsOutboxPublisher>());
        services.AddHealthChecks().AddCheck<ResultsOutboxHealthCheck>("results_outbox", tags: ["ready"]);
        services.AddSingleton<AnalysisWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<AnalysisWorker>());
        return services;
    }

    private sealed class ResultsOutboxHealthCheck(WorkerMetrics metrics) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            => Task.FromResult(OutboxFigures.Health(Interlocked.Read(ref metrics.OutboxBacklog), Interlocked.Read(ref metrics.OutboxDeadLetters), "result and alert messages"));
    }

    /// <summary>Loads the models and lists before the service reports ready, and says how long it took.</summary>
    /// <remarks>
    /// Resolved in <see cref="StartAsync"/>, not injected: the host builds every hosted service before starting
    /// any, and the start-up checks must run before 350 MB of models are loaded.
    /// </remarks>
    private sealed class AnalyzerWarmup(IServiceProvider services, ILogger<AnalyzerWarmup> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var analyzer = services.GetRequiredService<ITextAnalyzer>();
            var embedded = services.GetRequiredService<EmbeddedAnalyzer>();
            await embedded.AnalyzeAsync([new AnalysisRequest("Markets open steady; Nifty flat.")], cancellationToken);
            WorkerLog.WarmedUp(logger, analyzer.Name, watch.Elapsed.TotalMilliseconds);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
