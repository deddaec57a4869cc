namespace MarketPulse.Hosting;

/// <summary>Log messages of hosting and start-up (event ids 1000-1999).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1000, LogLevel.Information, "Migrations: {Count} script(s) applied to the {Database} database")]
    public static partial void MigrationsApplied(ILogger logger, string database, int count);

    [LoggerMessage(1001, LogLevel.Information, "Dependencies ready: PostgreSQL (raw, analytics, logs), Redis, Kafka at {BootstrapServers}")]
    public static partial void DependenciesReady(ILogger logger, string bootstrapServers);
}
