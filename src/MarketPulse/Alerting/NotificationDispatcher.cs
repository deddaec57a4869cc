using System.Net.Http.Headers;
using MarketPulse.Storage;
using MarketPulse.Webhooks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Alerting;

/// <summary>
/// Delivers the <c>notifications</c> rows to their notifiers, apart from the analysis worker, so a slow or failing
/// receiver never holds up analysis. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> and leased by moving
/// <c>next_attempt_at</c> past the longest delivery, so scaled-out dispatchers share the work without holding a
/// transaction across HTTP calls, and a row whose dispatcher died is taken again when its lease ends.
/// </summary>
public sealed class NotificationDispatcher(
    Databases databases,
    IHttpClientFactory httpClients,
    IOptions<AlertingOptions> options,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "MarketPulse.Alerting";

    private const int BatchSize = 32;

    private const string ClaimSql = """
        UPDATE notifications SET next_attempt_at = now() + $2
        WHERE id IN (SELECT id FROM notifications WHERE next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, alert_id, notifier, payload, attempts
        """;

    private const string FailSql = "UPDATE notifications SET attempts = $2, last_error = $3, next_attempt_at = now() + $4 WHERE id = $1";

    private const string DeadLetterSql = """
        WITH moved AS (DELETE FROM notifications WHERE id = $1 RETURNING id, alert_id, notifier, payload, created_at)
        INSERT INTO notification_dead_letters (id, alert_id, notifier, payload, created_at, attempts, last_error)
        SELECT id, alert_id, notifier, payload, created_at, $2, $3 FROM moved
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        AlertingLog.DispatcherStarted(logger, o.Notifiers.Count, string.Join(", ", o.Notifiers.Keys));
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await DispatchOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                AlertingLog.DatabaseError(logger, e.Message);
                claimed = 0;
            }

            if (claimed < BatchSize)
            {
                try
                {
                    await Task.Delay(o.PollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims the notifications that are due and delivers them; returns how many it claimed.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var claimed = new List<(long Id, long AlertId, string Notifier, byte[] Payload, int Attempts)>();
        await using (var claim = databases.Analytics.CreateCommand(ClaimSql))
        {
            claim.Parameters.AddWithValue(BatchSize);
            claim.Parameters.AddWithValue(o.DeliveryTimeout + TimeSpan.FromSeconds(5));
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3), reader.GetInt32(4)));
            }
        }

        // Different receivers in parallel; one slow receiver delays only its own rows.
        await Task.WhenAll(claimed.GroupBy(c => c.Notifier, StringComparer.Ordinal).Select(async group =>
        {
            foreach (var row in group)
            {
                var error = await DeliverAsync(row.Notifier, row.Payload, cancellationToken);
                await RecordAsync(row.Id, row.AlertId, row.Notifier, row.Attempts, error, cancellationToken);
            }
        }));
        return claimed.Count;
    }

    /// <summary>One delivery of <paramref name="payload"/> to a notifier (with the HTTP retries); null when it answered 2xx, else why not.</summary>
    public async Task<string?> DeliverAsync(string name, byte[] payload, CancellationToken cancellationToken)
    {
        if (!options.Value.Notifiers.TryGetValue(name, out var notifier))
        {
            return "notifier not configured";
        }

        try
        {
            var body = NotificationBodies.For(notifier, payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, notifier.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (notifier.Format == NotifierOptions.Webhook && !string.IsNullOrEmpty(notifier.Secret))
            {
                WebhookSignature.AddHeaders(request, notifier.Secret, body, time.GetUtcNow());
            }

            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException or System.Text.Json.JsonException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Messages of these name the host at most, never the URL's path or query (a Telegram token lives there).
            return e.GetType().Name + ": " + e.Message;
        }
    }

    private async Task RecordAsync(long id, long alertId, string notifier, int attempts, string? error, CancellationToken cancellationToken)
    {
        if (error is null)
        {
            await using var delete = databases.Analytics.CreateCommand("DELETE FROM notifications WHERE id = $1");
            delete.Parameters.AddWithValue(id);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            AlertingLog.Delivered(logger, alertId, notifier);
            return;
        }

        var o = options.Value;
        var attempt = attempts + 1;
        if (attempt >= o.MaxDeliveries)
        {
            await using var move = databases.Analytics.CreateCommand(DeadLetterSql);
            move.Parameters.AddWithValue(id);
            move.Parameters.AddWithValue(attempt);
            move.Parameters.AddWithValue(error);
            await move.ExecuteNonQueryAsync(cancellationToken);
            AlertingLog.DeadLettered(logger, alertId, notifier, attempt, error);
            return;
        }

        var delay = TimeSpan.FromTicks((long)Math.Min(o.RetryDelay.Ticks * Math.Pow(2, attempts), TimeSpan.FromHours(1).Ticks));
        await using var fail = databases.Analytics.CreateCommand(FailSql);
        fail.Parameters.AddWithValue(id);
        fail.Parameters.AddWithValue(attempt);
        fail.Parameters.AddWithValue(error);
        fail.Parameters.AddWithValue(delay);
        await fail.ExecuteNonQueryAsync(cancellationToken);
        AlertingLog.DeliveryFailed(logger, attempt, alertId, notifier, error, delay.TotalSeconds);
    }
}
