using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace MarketPulse.Analysis.Ollama;

/// <summary>Registration of the Ollama analyser.</summary>
public static class OllamaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OllamaOptions"/> (section <c>Ollama</c>, validated at start) and
    /// <see cref="OllamaAnalyzer"/> as a typed <see cref="HttpClient"/> behind the standard resilience handler
    /// (<see cref="OllamaResilience"/>), also resolvable as the keyed <see cref="ITextAnalyzer"/> <c>"ollama"</c>.
    /// Composing it with the embedded analyser is up to the host:
    /// <c>new FallbackAnalyzer(ollama, embedded, options.Fallback)</c>.
    /// </summary>
    public static IServiceCollection AddOllamaAnalyzer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<OllamaOptions>().BindConfiguration(OllamaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddKeyedSingleton(OllamaAnalyzer.AnalyzerName, (_, _) => new CircuitBreakerStateProvider());

        // The resilience handler enforces the timeouts; the client's own would cut retries short.
        services.AddHttpClient<OllamaAnalyzer>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddTypedClient((http, sp) => new OllamaAnalyzer(
                http,
                sp.GetRequiredService<IOptions<OllamaOptions>>().Value,
                sp.GetRequiredKeyedService<CircuitBreakerStateProvider>(OllamaAnalyzer.AnalyzerName),
                sp.GetService<ILogger<OllamaAnalyzer>>()))
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) =>
            {
                OllamaOptions options;
                try
                {
                    options = sp.GetRequiredService<IOptions<OllamaOptions>>().Value;
                }
                catch (OptionsValidationException)
                {
                    // Reported once, by the Ollama options' own start validation; the handler keeps its defaults.
                    return;
                }

                OllamaResilience.Configure(
                    resilience,
                    options,
                    sp.GetRequiredKeyedService<CircuitBreakerStateProvider>(OllamaAnalyzer.AnalyzerName),
                    sp.GetRequiredService<ILogger<OllamaAnalyzer>>());
            });
        services.AddKeyedTransient<ITextAnalyzer>(OllamaAnalyzer.AnalyzerName, (sp, _) => sp.GetRequiredService<OllamaAnalyzer>());
        return services;
    }
}
