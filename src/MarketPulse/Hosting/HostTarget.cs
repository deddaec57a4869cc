namespace MarketPulse.Hosting;

/// <summary>Which roles one process runs (like Loki's <c>-target</c>): everything, or one role to scale out.</summary>
[Flags]
public enum HostTarget
{
    /// <summary>Webhooks, the raw store and the outbox publisher.</summary>
    Ingest = 1,

    /// <summary>The analysis worker (Kafka consumer group) and the analytics store.</summary>
    Analyze = 2,

    /// <summary>Both roles in one process: the one-machine mode.</summary>
    All = Ingest | Analyze,
}

public static class HostTargets
{
    public static bool TryParse(string value, out HostTarget target)
    {
        switch (value.ToLowerInvariant())
        {
            case "all": target = HostTarget.All; return true;
            case "ingest": target = HostTarget.Ingest; return true;
            case "analyze": target = HostTarget.Analyze; return true;
            default: target = default; return false;
        }
    }

    public static string Name(this HostTarget target) => target switch
    {
        HostTarget.All => "all",
        HostTarget.Ingest => "ingest",
        HostTarget.Analyze => "analyze",
        _ => target.ToString(),
    };
}
