using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace MarketPulse.Analysis.Ollama;

/// <summary>
/// Maps <see cref="OllamaOptions"/> onto the standard resilience handler of the Ollama <see cref="HttpClient"/>:
/// a per-attempt timeout, retries of transient failures with jittered exponential backoff, a circuit breaker
/// for the server, and a total timeout that never cuts the retries short.
/// </summary>
internal static class OllamaResilience
{
    private static readonly TimeSpan MaxPollyTimeout = TimeSpan.FromDays(1);

    public static void Configure(HttpStandardResilienceOptions resilience, OllamaOptions options, CircuitBreakerStateProvider circuit, ILogger logger)
    {
        var attempts = options.MaxRetries + 1;
        resilience.AttemptTimeout.Timeout = options.RequestTimeout;

        // Polly needs at least one retry configured; MaxRetries = 0 keeps the strategy but lets nothing through it.
        var maxDelay = options.RetryBaseDelay * Math.Pow(2, Math.Max(0, options.MaxRetries - 1)) * 1.2;
        resilience.Retry.MaxRetryAttempts = Math.Max(1, options.MaxRetries);
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = options.RetryBaseDelay;
        resilience.Retry.MaxDelay = maxDelay;
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
            options.MaxRetries > 0
            // An open circuit answers at once; retrying it would only spend the delays.
            && args.Outcome.Exception is not BrokenCircuitException
            && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        resilience.Retry.OnRetry = args =>
        {
            OllamaLog.TransientFailure(logger, args.AttemptNumber + 1, attempts, args.RetryDelay, Describe(args.Outcome));
            return default;
        };

        // Every failed attempt counts, retries included; a success in the window keeps the circuit closed.
        resilience.CircuitBreaker.FailureRatio = 1.0;
        resilience.CircuitBreaker.MinimumThroughput = options.CircuitBreakerFailures;
        resilience.CircuitBreaker.SamplingDuration = Max(2 * options.RequestTimeout, TimeSpan.FromSeconds(30));
        resilience.CircuitBreaker.BreakDuration = options.CircuitBreakerDuration;
        resilience.CircuitBreaker.StateProvider = circuit;
        resilience.CircuitBreaker.OnOpened = args =>
        {
            OllamaLog.CircuitOpened(logger, args.BreakDuration, Describe(args.Outcome));
            return default;
        };

        var total = (options.RequestTimeout * attempts) + (maxDelay * options.MaxRetries) + TimeSpan.FromSeconds(1);
        resilience.TotalRequestTimeout.Timeout = total < MaxPollyTimeout ? total : MaxPollyTimeout;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception?.Message ?? $"HTTP {(int)outcome.Result!.StatusCode}";
}
