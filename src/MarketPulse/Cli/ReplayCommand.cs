using System.CommandLine;
using System.Globalization;
using MarketPulse.Ingestion;
using MarketPulse.Messaging;
using MarketPulse.Storage;

namespace MarketPulse.Cli;

/// <summary>
/// <c>marketpulse replay</c>: queues raw items for analysis again, through the outbox.
/// <list type="bullet">
/// <item>With no range: every text item that has no outcome yet (no result, not a duplicate, not failed),
/// e.g. after the in-memory development broker lost its messages.</item>
/// <item><c>--from T --to T [--reanalyze]</c>: every text item received in that range; with
/// <c>--reanalyze</c> the worker analyses it even if it has a result, and stores the new version beside the old.</item>
/// </list>
/// With Kafka configured it also publishes the queue; otherwise a running ingest process publishes it.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(string[] configuration)
    {
        var from = new Option<string?>("--from") { Description = "start of the range of received times (ISO 8601)", HelpName = "T" };
        var to = new Option<string?>("--to") { Description = "end of the range of received times (ISO 8601)", HelpName = "T" };
        var reanalyze = new Option<bool>("--reanalyze") { Description = "analyse the range again even where a result exists (needs --from and --to)" };
        var command = new Command("replay", "queue unanalysed raw items again, or --from T --to T [--reanalyze] a time range") { from, to, reanalyze };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(from), parse.GetValue(to), parse.GetValue(reanalyze), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? fromText, string? toText, bool reanalyze, string[] configuration, CancellationToken cancellationToken)
    {
        var from = Time(fromText, DateTimeOffset.MinValue, "from");
        var to = Time(toText, DateTimeOffset.MaxValue, "to");
        if (reanalyze && (fromText is null || toText is null))
        {
            throw new UsageException("--reanalyze needs a range: --from and --to (ISO 8601 times).");
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Databases>();
        await using var provider = builder.Services.BuildServiceProvider();
        var databases = provider.GetRequiredService<Databases>();

        var done = await new ReplayQueue(databases).QueueAsync(from, to, reanalyze,
            p => Console.Error.WriteLine($"replay: scanned {p.Scanned:N0}, queued {p.Queued:N0}"), cancellationToken);
        var (scanned, queued) = (done.Scanned, done.Queued);

        Console.WriteLine($"replay: {queued:N0} item(s) queued for {(reanalyze ? "re-analysis" : "analysis")} out of {scanned:N0} text item(s) in range.");
        var kafka = builder.Configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();
        if (queued > 0 && kafka.UsesMockCluster())
        {
            Console.WriteLine("replay: no Kafka__BootstrapServers configured; the running MarketPulse (./run.sh) publishes the queue from its outbox.");
        }
        else if (queued > 0)
        {
            var published = await PublishAsync(builder, cancellationToken);
            Console.WriteLine($"replay: published {published:N0} message(s) to Kafka.");
        }

        return 0;
    }

    private static async Task<int> PublishAsync(HostApplicationBuilder builder, CancellationToken cancellationToken)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMessaging();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<OutboxPublisher>();
        using var host = builder.Build();
        var publisher = host.Services.GetRequiredService<OutboxPublisher>();
        return await publisher.DrainAsync(cancellationToken);
    }

    private static DateTimeOffset Time(string? value, DateTimeOffset fallback, string name) =>
        value is null ? fallback
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new UsageException($"--{name} takes an ISO 8601 time such as 2026-11-29T10:00:00Z, not '{value}'.");
}
