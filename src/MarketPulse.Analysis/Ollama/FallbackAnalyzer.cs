using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPulse.Analysis.Ollama;

/// <summary>
/// Puts a fallback analyser behind a primary one. In <see cref="FallbackMode.Wait"/> failures of the primary
/// surface unchanged (the caller retries later). In <see cref="FallbackMode.Fallback"/> the items the primary
/// could not analyse, because it was unavailable or its answers were rejected, go to the fallback; results the
/// primary did produce are kept. Every result names the analyser that produced it.
/// </summary>
public sealed class FallbackAnalyzer : ITextAnalyzer
{
    private readonly ITextAnalyzer _primary;
    private readonly ITextAnalyzer _fallback;
    private readonly FallbackMode _mode;
    private readonly ILogger _logger;

    public FallbackAnalyzer(ITextAnalyzer primary, ITextAnalyzer fallback, FallbackMode mode, ILogger<FallbackAnalyzer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(fallback);
        _primary = primary;
        _fallback = fallback;
        _mode = mode;
        _logger = logger ?? NullLogger<FallbackAnalyzer>.Instance;
    }

    /// <summary>The primary's name: the analyser the pipeline asked for.</summary>
    public string Name => _primary.Name;

    /// <inheritdoc />
    public async Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        try
        {
            return await _primary.AnalyzeAsync(requests, cancellationToken);
        }
        catch (AnalyzerUnavailableException ex) when (_mode == FallbackMode.Fallback)
        {
            var partial = ex.PartialResults;
            OllamaLog.FallingBack(_logger, requests.Count - partial.Count(r => r is not null), _fallback.Name, ex.Message);
            return await CompleteAsync(requests, partial, cancellationToken);
        }
        catch (AnalysisFailedException ex) when (_mode == FallbackMode.Fallback)
        {
            var partial = ex.PartialResults;
            OllamaLog.FallingBackForFailedItems(_logger, requests.Count - partial.Count(r => r is not null), _fallback.Name, ex.Reason);
            return await CompleteAsync(requests, partial, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<AnalysisResult>> CompleteAsync(
        IReadOnlyList<AnalysisRequest> requests, IReadOnlyList<AnalysisResult?> partial, CancellationToken cancellationToken)
    {
        // Partial results that do not line up with the batch (an analyser that does not report them) are ignored.
        var known = partial.Count == requests.Count ? partial : new AnalysisResult?[requests.Count];
        var missing = Enumerable.Range(0, requests.Count).Where(i => known[i] is null).ToArray();
        var fallbackResults = await _fallback.AnalyzeAsync(missing.Select(i => requests[i]).ToArray(), cancellationToken);
        if (fallbackResults.Count != missing.Length)
        {
            throw new InvalidOperationException(
                $"Fallback analyser {_fallback.Name} returned {fallbackResults.Count} results for {missing.Length} requests.");
        }

        var results = new AnalysisResult[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = known[i]!;
        }

        for (var j = 0; j < missing.Length; j++)
        {
            results[missing[j]] = fallbackResults[j];
        }

        return results;
    }
}
