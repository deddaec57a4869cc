using MarketPulse.Api;
using MarketPulse.Health;
using MarketPulse.Worker;
using Prometheus;
using MarketPulse.Ingestion;
using MarketPulse.Webhooks;
using MarketPulse.Messaging;
using MarketPulse.Storage;
using MarketPulse.Storage.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MarketPulse.Hosting;

/// <summary>Builds the MarketPulse web application for a target; <c>Program</c>, the CLI and the tests share it.</summary>
public static class MarketPulseApp
{
    public static WebApplication Build(HostTarget target, string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);

        builder.AddMarketPulseCore(target);
        if (target.HasFlag(HostTarget.Ingest))
        {
            builder.Services.AddIngestion();
        }

        if (target.HasFlag(HostTarget.Analyze))
        {
            builder.Services.AddAnalyzers();
            builder.Services.AddAnalysisWorker();
        }

        var app = builder.Build();
        app.UseRateLimiter();
        if (target.HasFlag(HostTarget.Ingest))
        {
            app.MapWebhooks();
        }

        if (target.HasFlag(HostTarget.Analyze))
        {
            app.MapAnalyzeApi();
        }

        app.MapItemsApi();
        app.MapMarketPulseHealth();
        app.MapMetrics("/metrics");
        return app;
    }

    /// <summary>Options, the three databases, Redis, Kafka, start-up checks, health and the database log sink.</summary>
    public static WebApplicationBuilder AddMarketPulseCore(this WebApplicationBuilder builder, HostTarget target)
    {
        var component = target.Name();
        var services = builder.Services;
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None); // start failures are reported by the CLI, in one line
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        builder.AddDatabaseLogging(component);

        services.Configure<HostOptions>(o => o.ShutdownTimeout = builder.Configuration.GetValue("Shutdown:Timeout", TimeSpan.FromSeconds(30)));
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<StartupOptions>().BindConfiguration("Database");
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section);
        services.AddRateLimits();
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section);
        services.AddSingleton<Databases>();
        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(sp.GetRequiredService<IOptions<RedisOptions>>().Value.Parse()));
        services.AddMessaging();
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<StartupChecks>(sp, target));
        services.AddMarketPulseHealth();
        return builder;
    }

    private static void AddDatabaseLogging(this WebApplicationBuilder builder, string component)
    {
        if (!builder.Configuration.GetValue("Logging:Database:Enabled", true))
        {
            return;
        }

        var level = builder.Configuration.GetValue("Logging:Database:MinimumLevel", LogLevel.Information);
        var retentionDays = builder.Configuration.GetValue("Logging:Database:RetentionDays", 14);
        builder.Services.AddSingleton(sp => new DatabaseLoggerProvider(sp.GetRequiredService<Databases>().Logs, component, level, retentionDays: retentionDays));
        builder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<DatabaseLoggerProvider>());
    }
}
