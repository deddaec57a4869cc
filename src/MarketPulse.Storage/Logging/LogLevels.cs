using Microsoft.Extensions.Logging;

namespace MarketPulse.Storage.Logging;

/// <summary>The level names the design uses (DEBUG, INFO, WARN, ERROR, FATAL), mapped from .NET's.</summary>
public static class LogLevels
{
    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "FATAL",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "not a level an entry is written at"),
    };

    /// <summary>Levels counted in <c>error_summary</c>.</summary>
    public static bool IsError(LogLevel level) => level is LogLevel.Error or LogLevel.Critical;
}
