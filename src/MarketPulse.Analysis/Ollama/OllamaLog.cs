using Microsoft.Extensions.Logging;

namespace MarketPulse.Analysis.Ollama;

// Event ids 3100-3199 belong to the Ollama analyser.
internal static partial class OllamaLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning,
        Message = "Ollama call failed transiently (attempt {Attempt} of {Attempts}), retrying in {Delay}: {Reason}")]
    public static partial void TransientFailure(ILogger logger, int attempt, int attempts, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Ollama answer for request {RequestIndex} rejected (answer attempt {Attempt}): {Reason}")]
    public static partial void AnswerRejected(ILogger logger, int requestIndex, int attempt, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error,
        Message = "Ollama circuit opened for {Duration} after repeated failures: {Reason}")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan duration, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning,
        Message = "Ollama is unavailable; {Count} items go to the fallback analyser {Fallback}: {Reason}")]
    public static partial void FallingBack(ILogger logger, int count, string fallback, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning,
        Message = "Ollama could not analyse {Count} items; they go to the fallback analyser {Fallback}: {Reason}")]
    public static partial void FallingBackForFailedItems(ILogger logger, int count, string fallback, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Debug,
        Message = "Ollama analysed request {RequestIndex}: {Label} {Score} (prompt {PromptTokens} tokens, answer {AnswerTokens} tokens)")]
    public static partial void Analysed(ILogger logger, int requestIndex, SentimentLabel label, double score, int? promptTokens, int? answerTokens);
}
