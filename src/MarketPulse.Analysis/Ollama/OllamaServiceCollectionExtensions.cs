using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MarketPulse.Analysis.Ollama;

/// <summary>Registration of the Ollama analyser.</summary>
public static class OllamaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OllamaOptions"/> (section <c>Ollama</c>, validated at start), one
    /// <see cref="CircuitBreaker"/> for the Ollama server and <see cref="OllamaAnalyzer"/> as a typed
    /// <see cref="HttpClient"/>, also resolvable as the keyed <see cref="ITextAnalyzer"/> <c>"ollama"</c>.
    /// Composing it with the embedded analyser is up to the host:
    /// <c>new FallbackAnalyzer(ollama, embedded, options.Fallback)</c>.
    /// </summary>
    public static IServiceCollection AddOllamaAnalyzer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<OllamaOptions>().BindConfiguration(OllamaOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OllamaOptions>, OllamaOptionsValidator>();
        services.AddKeyedSingleton(OllamaAnalyzer.AnalyzerName, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptions<OllamaOptions>>().Value;
            return new CircuitBreaker(options.CircuitBreakerFailures, options.CircuitBreakerDuration, sp.GetService<TimeProvider>());
        });

        // The analyser enforces its own per-request timeout; the client's would cut retries short.
        services.AddHttpClient<OllamaAnalyzer>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddTypedClient((http, sp) => new OllamaAnalyzer(
                http,
                sp.GetRequiredService<IOptions<OllamaOptions>>().Value,
                sp.GetRequiredKeyedService<CircuitBreaker>(OllamaAnalyzer.AnalyzerName),
                sp.GetService<ILogger<OllamaAnalyzer>>(),
                sp.GetService<TimeProvider>()));
        services.AddKeyedTransient<ITextAnalyzer>(OllamaAnalyzer.AnalyzerName, (sp, _) => sp.GetRequiredService<OllamaAnalyzer>());
        return services;
    }
}
