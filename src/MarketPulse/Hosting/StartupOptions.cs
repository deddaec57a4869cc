namespace MarketPulse.Hosting;

/// <summary>Settings of the start-up sequence (section <c>Database</c>).</summary>
public sealed class StartupOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations to the three databases at start (the one-machine mode does).</summary>
    public bool MigrateOnStart { get; set; }
}
