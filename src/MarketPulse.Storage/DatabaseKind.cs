namespace MarketPulse.Storage;

/// <summary>The three PostgreSQL databases of the design.</summary>
public enum DatabaseKind
{
    /// <summary>Every ingested item and the outbox (connection string <c>ConnectionStrings:Raw</c>).</summary>
    Raw,

    /// <summary>Analysis results, duplicates, alerts and rollups (<c>ConnectionStrings:Analytics</c>).</summary>
    Analytics,

    /// <summary>Structured logs, one partition a day (<c>ConnectionStrings:Logs</c>).</summary>
    Logs,
}
