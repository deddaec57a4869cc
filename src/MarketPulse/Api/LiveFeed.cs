using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;

namespace MarketPulse.Api;

/// <summary>
/// Fans the analytics database's newest rows out to the <c>/api/stream</c> subscribers of this process. It
/// polls (only while someone listens) instead of hooking the worker, so it works when ingest and analyze
/// run as separate processes; rows commit out of their timestamps' order, so each poll looks back over an
/// overlap window and skips what it already sent.
/// </summary>
public sealed class LiveFeed(DashboardReader reader, TimeProvider time, ILogger<LiveFeed> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(30);
    private const int PerPoll = 200;

    private readonly ConcurrentDictionary<Channel<FeedEvent>, byte> _subscribers = new();
    private readonly Dictionary<string, DateTimeOffset> _sent = [];

    public int Subscribers => _subscribers.Count;

    /// <summary>A subscriber's queue; a slow reader loses the oldest events rather than holding the others up.</summary>
    public Channel<FeedEvent> Subscribe()
    {
        var channel = Channel.CreateBounded<FeedEvent>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _subscribers.TryAdd(channel, 0);
        return channel;
    }

    public void Unsubscribe(Channel<FeedEvent> channel)
    {
        _subscribers.TryRemove(channel, out _);
        channel.Writer.TryComplete();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (_subscribers.IsEmpty)
            {
                _sent.Clear();
                continue;
            }

            try
            {
                await PollAsync(stoppingToken);
            }
            catch (NpgsqlException e)
            {
                DashboardLog.FeedPollFailed(logger, e);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - Overlap;
        var (items, alerts, duplicates) = await reader.RecentAsync(since, PerPoll, cancellationToken);
        var events = new List<FeedEvent>();
        var newItems = items.Where(i => Unsent($"a:{i.Id}:{i.Version}", i.AnalyzedAt)).Reverse().ToList();
        events.AddRange((await reader.WithHeadlinesAsync(newItems, cancellationToken)).Select(i => new FeedEvent("analysis", i)));
        events.AddRange(duplicates.Where(d => Unsent($"d:{d.ItemId}", d.DetectedAt)).Reverse().Select(d => new FeedEvent("duplicate", d)));
        events.AddRange(alerts.Where(a => Unsent($"l:{a.Id}", a.CreatedAt)).Reverse().Select(a => new FeedEvent("alert", a)));
        foreach (var key in _sent.Where(s => s.Value < since).Select(s => s.Key).ToList())
        {
            _sent.Remove(key);
        }

        foreach (var subscriber in _subscribers.Keys)
        {
            foreach (var e in events)
            {
                subscriber.Writer.TryWrite(e);
            }
        }
    }

    private bool Unsent(string key, DateTimeOffset at) => _sent.TryAdd(key, at);
}
