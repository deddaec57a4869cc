using MarketPulse.Alerting;
using MarketPulse.Api;
using MarketPulse.Dashboard;
using MarketPulse.DevBroker;
using MarketPulse.Health;
using MarketPulse.Worker;
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
        builder.Services.AddDashboardApi();
        if (target.HasFlag(HostTarget.Ingest))
        {
            builder.Services.AddIngestion();
        }

        if (target.HasFlag(HostTarget.Analyze))
        {
            builder.Services.AddAnalyzers();
            builder.Services.AddAnalysisWorker();
            builder.Services.AddAlertDelivery();
        }

        WebApplication app;
        try
        {
            app = builder.Build();
        }
        catch (OptionsValidationException e)
        {
            // Options read while the host is built (Shutdown, Logging:Database) fail here rather than at start.
            throw OptionsValidation.ToStartupException(e);
        }

        OptionsValidation.ValidateAll(app.Services);

        app.UseRateLimiter();
        if (target.HasFlag(HostTarget.Ingest))
        {
            app.MapWebhooks();
            app.MapDashboard();
        }

        if (target.HasFlag(HostTarget.Analyze))
        {
            app.MapAnalyzeApi();
        }

        app.MapItemsApi();
        app.MapDashboardApi();
        app.MapMarketPulseHealth();
        app.MapMarketPulseMetrics();
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

        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<StartupOptions>().BindConfiguration(StartupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimits();
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Databases>();
        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(sp.GetRequiredService<IOptions<RedisOptions>>().Value.Parse()));
        services.AddMessaging();
        services.AddDevelopmentBroker();
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<StartupChecks>(sp, target));
        services.AddMarketPulseHealth();
        services.AddAlertNotifications();
        services.AddItemsApi();
        return builder;
    }

    private static void AddDatabaseLogging(this WebApplicationBuilder builder, string component)
    {
        builder.Services.AddOptions<DatabaseLogOptions>().BindConfiguration(DatabaseLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Known before the container is built: it decides whether the sink is a logger provider at all.
        if (!builder.Configuration.GetValue(DatabaseLogOptions.Section + ":" + nameof(DatabaseLogOptions.Enabled), true))
        {
            return;
        }

        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseLogOptions>>().Value;
            return new DatabaseLoggerProvider(sp.GetRequiredService<Databases>().Logs, component, options.MinimumLevel, retentionDays: options.RetentionDays);
        });
        builder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<DatabaseLoggerProvider>());
    }
}
