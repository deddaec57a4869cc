using Microsoft.Extensions.Logging;

namespace MarketPulse.Analysis.Dedup;

// Event ids 6100-6199 belong to dedup (docs/architecture.md, "Event ids").
internal static partial class DedupLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information,
        Message = "Redis did not have the {Script} dedup script (restart or SCRIPT FLUSH); sent it again")]
    public static partial void ScriptReloaded(ILogger logger, string script);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug,
        Message = "Item {ItemId} is a near duplicate of {OriginalId} (cosine {Similarity:F4}, {Candidates} candidates)")]
    public static partial void NearDuplicate(ILogger logger, string itemId, string? originalId, double similarity, int candidates);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Debug,
        Message = "Item {ItemId} is an exact copy of {OriginalId}")]
    public static partial void ExactDuplicate(ILogger logger, string itemId, string? originalId);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning,
        Message = "Dedup check for item {ItemId} failed; Redis is unavailable or refused the script")]
    public static partial void CheckFailed(ILogger logger, Exception exception, string itemId);
}
