using System.ComponentModel.DataAnnotations;

namespace MarketPulse.Hosting;

/// <summary>Shutdown settings (section <c>Shutdown</c>).</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>How long a stopping service may drain (finish the batch, flush the producer) before it is cut off.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
