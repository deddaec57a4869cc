using MarketPulse.Messaging;

namespace MarketPulse.Ingestion;

/// <summary>
/// With the in-process broker, messages die with the process, and each outbox row was deleted when that broker
/// acknowledged it: after a crash the items published but not yet analysed have no outcome and nothing would
/// bring them back. So at every start, while the broker is in-process, those items are queued again.
/// </summary>
internal sealed class RequeueOnStart(KafkaEnvironment kafka, ReplayQueue queue, OutboxSignal signal, ILogger<RequeueOnStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!kafka.IsMockCluster)
        {
            return;
        }

        var done = await queue.QueueAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, reanalyze: false, progress: null, stoppingToken);
        if (done.Queued > 0)
        {
            signal.Notify();
        }

        IngestLog.RequeuedWithoutOutcome(logger, done.Queued, done.Scanned);
    }
}
