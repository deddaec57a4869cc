using System.Diagnostics.Metrics;

namespace MarketPulse.Ingestion;

/// <summary>Ingestion metrics (meter <c>MarketPulse.Ingest</c>).</summary>
public sealed class IngestMetrics
{
    public const string MeterName = "MarketPulse.Ingest";

    public long OutboxBacklog;

    public long OutboxDeadLetters;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Accepted = meter.CreateCounter<long>("marketpulse.ingest.items.accepted", "{item}", "Items stored for the first time");
        Redelivered = meter.CreateCounter<long>("marketpulse.ingest.items.redelivered", "{item}", "Items that were already stored");
        Rejected = meter.CreateCounter<long>("marketpulse.ingest.items.rejected", "{item}", "Items refused by validation");
        Published = meter.CreateCounter<long>("marketpulse.outbox.published", "{message}", "Outbox rows published to Kafka");
        meter.CreateObservableGauge("marketpulse.outbox.backlog", () => Interlocked.Read(ref OutboxBacklog), "{row}", "Outbox rows waiting to be published");
        DeadLettered = meter.CreateCounter<long>("marketpulse.outbox.dead_lettered", "{row}", "Outbox rows set aside as unpublishable");
        BrokerChecks = meter.CreateCounter<long>("marketpulse.ingest.broker_checks", "{check}", "Checks whether the broker lost acknowledged messages");
        BrokerLosses = meter.CreateCounter<long>("marketpulse.ingest.broker_losses", "{loss}", "Times the broker had lost acknowledged messages");
        Requeued = meter.CreateCounter<long>("marketpulse.ingest.items.requeued", "{item}", "Items without an outcome queued again after a broker's loss");
        meter.CreateObservableGauge("marketpulse.outbox.dead_letters", () => Interlocked.Read(ref OutboxDeadLetters), "{row}", "Rows in outbox_dead_letters");
    }

    public Counter<long> Accepted { get; }

    public Counter<long> Redelivered { get; }

    public Counter<long> Rejected { get; }

    public Counter<long> Published { get; }

    public Counter<long> DeadLettered { get; }

    public Counter<long> BrokerChecks { get; }

    public Counter<long> BrokerLosses { get; }

    public Counter<long> Requeued { get; }
}
