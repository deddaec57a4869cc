using Microsoft.Extensions.Logging;

namespace MarketPulse.Storage;

/// <summary>Log messages of the storage area (event ids 2000-2999).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(2000, LogLevel.Debug, "Migration: {Message}")]
    public static partial void Migration(ILogger logger, string message);

    [LoggerMessage(2001, LogLevel.Warning, "Migration: {Message}")]
    public static partial void MigrationWarning(ILogger logger, string message);

    [LoggerMessage(2002, LogLevel.Error, "Migration: {Message}")]
    public static partial void MigrationError(ILogger logger, Exception? exception, string message);
}
