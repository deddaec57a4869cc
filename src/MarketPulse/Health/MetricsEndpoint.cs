using System.Diagnostics.Metrics;
using Prometheus;

namespace MarketPulse.Health;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, from a registry of this application's own.
/// </summary>
/// <remarks>
/// prometheus-net's default registry and meter adapter are process-wide: two applications in one process (the
/// tests host many side by side) would publish each other's instruments under the same names, and an observable
/// gauge would show whichever instance was read last. Here the adapter takes only the meters created by this
/// application's <see cref="IMeterFactory"/> (ours and ASP.NET Core's), so what /metrics shows is this
/// application's state, and the default adapter is never started.
/// </remarks>
public static class MetricsEndpoint
{
    public static IEndpointConventionBuilder MapMarketPulseMetrics(this WebApplication app)
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true, SuppressDebugMetrics = true });
        var registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(registry);
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Metrics.WithCustomRegistry(registry), // the default is the process-wide factory, which would ignore Registry
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter.Scope, meters),
        });
        app.Lifetime.ApplicationStopped.Register(adapter.Dispose);
        return app.MapMetrics("/metrics", registry);
    }
}
