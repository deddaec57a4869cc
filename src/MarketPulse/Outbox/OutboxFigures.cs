using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MarketPulse.Outbox;

/// <summary>The backlog and dead-letter gauges both outboxes keep, and the health answer built from them.</summary>
public static class OutboxFigures
{
    /// <summary>A backlog above this reports the outbox degraded.</summary>
    public const long DegradedBacklog = 100_000;

    public static void Counted(ref long backlog, ref long deadLetters, long rows, long dead)
    {
        Interlocked.Exchange(ref backlog, rows);
        Interlocked.Exchange(ref deadLetters, dead);
    }

    /// <summary>Between two counts: what a batch published or set aside leaves the backlog.</summary>
    public static void Published(ref long backlog, ref long deadLetters, int rows, int deadLettered)
    {
        Interlocked.Add(ref deadLetters, deadLettered);
        var before = Interlocked.Read(ref backlog);
        Interlocked.CompareExchange(ref backlog, Math.Max(0, before - rows - deadLettered), before);
    }

    public static HealthCheckResult Health(long backlog, long deadLetters, string what)
    {
        var data = new Dictionary<string, object> { ["backlog"] = backlog, ["dead_letters"] = deadLetters };
        return backlog > DegradedBacklog
            ? HealthCheckResult.Degraded($"{backlog} {what} wait to be published to Kafka", data: data)
            : HealthCheckResult.Healthy(data: data);
    }
}
