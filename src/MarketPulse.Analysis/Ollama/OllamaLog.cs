using Microsoft.Extensions.Logging;

namespace MarketPulse.Analysis.Ollama;

// Event ids 6000-6099 belong to the Ollama analyser (docs/architecture.md, "Event ids").
internal static partial class OllamaLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning,
        Message = "Ollama call failed transiently (attempt {Attempt} of {Attempts}), retrying in {Delay}: {Reason}")]
    public static partial void TransientFailure(ILogger logger, int attempt, int attempts, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning,
        Message = "Ollama answer for request {RequestIndex} rejected (answer attempt {Attempt}): {Reason}")]
    public static partial void AnswerRejected(ILogger logger, int requestIndex, int attempt, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error,
        Message = "Ollama circuit opened for {Duration} after repeated failures: {Reason}")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan duration, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning,
        Message = "Ollama is unavailable; {Count} items go to the fallback analyser {Fallback}: {Reason}")]
    public static partial void FallingBack(ILogger logger, int count, string fallback, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning,
        Message = "Ollama could not analyse {Count} items; they go to the fallback analyser {Fallback}: {Reason}")]
    public static partial void FallingBackForFailedItems(ILogger logger, int count, string fallback, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug,
        Message = "Ollama analysed request {RequestIndex}: {Label} {Score} (prompt {PromptTokens} tokens, answer {AnswerTokens} tokens)")]
    public static partial void Analysed(ILogger logger, int requestIndex, SentimentLabel label, double score, int? promptTokens, int? answerTokens);
}
