using MarketPulse.Messaging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Ingestion;

/// <summary>
/// Each outbox row is deleted once the broker acknowledges it, so a broker that then loses the message (the
/// in-memory development broker stopped and started, a topic deleted and made again) leaves the item with no
/// outcome and nothing that would bring it back. Every <see cref="KafkaOptions.LossCheckInterval"/> this asks
/// <see cref="BrokerLossDetector"/> whether that happened and, if so, queues again the items without an outcome
/// (<see cref="ReplayQueue"/>: items still in the outbox are not queued twice, and an item analysed twice is
/// harmless). A durable cluster never triggers it. What it saw of the broker is kept in <see cref="BrokerMarks"/> after
/// every check and restored at start, so a broker replaced while no ingest process ran is noticed as well; not with
/// the in-process broker, which is new at every start and whose items <see cref="RequeueOnStart"/> queues again.
/// </summary>
internal sealed class BrokerLossWatch(
    KafkaEnvironment kafka,
    BrokerLossDetector detector,
    BrokerMarks marks,
    ReplayQueue queue,
    OutboxSignal signal,
    IngestMetrics metrics,
    IOptions<KafkaOptions> options,
    ILogger<BrokerLossWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.LossCheckInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        var requeuePending = false;
        var keepMarks = !kafka.IsMockCluster;
        using var timer = new PeriodicTimer(interval);
        try
        {
            var restored = !keepMarks || await RestoreAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Until the earlier marks are read, a check could not tell a broker replaced while ingest was away.
                restored = restored || await RestoreAsync(stoppingToken);
                if (!restored)
                {
                    continue;
                }

                var lost = false;
                if (await detector.CheckAsync(BrokerLossDetector.CheckTimeout(interval), stoppingToken) is { } reason)
                {
                    metrics.BrokerLosses.Add(1);
                    IngestLog.BrokerLostMessages(logger, reason);
                    requeuePending = true;
                    lost = true;
                }

                metrics.BrokerChecks.Add(1);
                if (keepMarks)
                {
                    await SaveAsync(lost, stoppingToken);
                }

                if (requeuePending)
                {
                    requeuePending = !await RequeueAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> RestoreAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await marks.LoadAsync(detector.Topic, stoppingToken) is { } kept)
            {
                detector.Restore(kept.ClusterId, kept.Acknowledged);
            }

            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            IngestLog.BrokerMarksUnavailable(logger, e.Message);
            return false;
        }
    }

    private async Task SaveAsync(bool afterLoss, CancellationToken stoppingToken)
    {
        var (clusterId, acknowledged) = detector.Marks();
        if (clusterId is null)
        {
            return;
        }

        try
        {
            await marks.SaveAsync(detector.Topic, clusterId, acknowledged, afterLoss, stoppingToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Kept at the next check; meanwhile only a restart in between would miss a loss.
            IngestLog.BrokerMarksUnavailable(logger, e.Message);
        }
    }

    private async Task<bool> RequeueAsync(CancellationToken stoppingToken)
    {
        try
        {
            var done = await queue.QueueAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, reanalyze: false, progress: null, stoppingToken);
            metrics.Requeued.Add(done.Queued);
            if (done.Queued > 0)
            {
                signal.Notify();
            }

            IngestLog.RequeuedAfterBrokerLoss(logger, done.Queued, done.Scanned);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            IngestLog.RequeueAfterBrokerLossFailed(logger, e.Message);
            return false;
        }
    }
}
