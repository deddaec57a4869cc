using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;

namespace MarketPulse.Storage.Logging;

/// <summary>Settings of the logs database sink (section <c>Logging:Database</c>).</summary>
public sealed class DatabaseLogOptions
{
    public const string Section = "Logging:Database";

    /// <summary>Write log entries to the logs database.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Least level written to the database.</summary>
    [EnumDataType(typeof(LogLevel))]
    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    /// <summary>Days of daily partitions kept, older ones are dropped; 0 keeps them all.</summary>
    [Range(0, 3650)]
    public int RetentionDays { get; set; } = 14;
}
