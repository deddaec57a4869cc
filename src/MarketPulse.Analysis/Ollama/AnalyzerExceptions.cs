namespace MarketPulse.Analysis.Ollama;

/// <summary>
/// The analyser answered, but not acceptably (malformed JSON, a label outside the fixed set, numbers out of range)
/// even after a retry. Never replaced by a default answer.
/// </summary>
public sealed class AnalysisFailedException : Exception
{
    public AnalysisFailedException()
        : this("The analysis failed.")
    {
    }

    public AnalysisFailedException(string message)
        : base(message)
    {
        Reason = message;
    }

    public AnalysisFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Creates the exception for one request of a batch.</summary>
    public AnalysisFailedException(int requestIndex, string reason, IReadOnlyList<AnalysisResult?> partialResults)
        : base($"Request {requestIndex} of the batch could not be analysed: {reason}")
    {
        RequestIndex = requestIndex;
        Reason = reason;
        PartialResults = partialResults;
    }

    /// <summary>Index in the batch of the (first) request that failed.</summary>
    public int RequestIndex { get; }

    /// <summary>Why the answer was rejected.</summary>
    public string Reason { get; }

    /// <summary>Results of the batch in request order, <c>null</c> where the request failed; empty if not known.</summary>
    public IReadOnlyList<AnalysisResult?> PartialResults { get; } = [];
}

/// <summary>
/// The analyser cannot be reached or refuses work (connection refused, 5xx or timeouts after retries,
/// or the circuit breaker is open). The items should be retried later or sent to a fallback analyser.
/// </summary>
public sealed class AnalyzerUnavailableException : Exception
{
    public AnalyzerUnavailableException()
        : this("The analyser is unavailable.")
    {
    }

    public AnalyzerUnavailableException(string message)
        : base(message)
    {
    }

    public AnalyzerUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the results that were completed before the analyser became unavailable.</summary>
    public AnalyzerUnavailableException(string message, Exception? innerException, IReadOnlyList<AnalysisResult?> partialResults, TimeSpan? retryAfter)
        : base(message, innerException)
    {
        PartialResults = partialResults;
        RetryAfter = retryAfter;
    }

    /// <summary>When the circuit is open: how long until a trial call is allowed.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Results of the batch in request order, <c>null</c> where none was produced; empty if not known.</summary>
    public IReadOnlyList<AnalysisResult?> PartialResults { get; } = [];
}
