using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using MarketPulse.Storage.Rollups;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace MarketPulse.Api;

/// <summary>
/// The read APIs behind the dashboard: <c>/api/sentiment</c>, <c>/api/items</c>, <c>/api/movers</c>,
/// <c>/api/alerts</c> (JSON, or CSV with <c>format=csv</c> / <c>Accept: text/csv</c>), <c>/api/pipeline</c>
/// and the live feed <c>/api/stream</c>. Series read only the rollups.
/// </summary>
public static class DashboardApi
{
    private static readonly TimeSpan PipelineWindow = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IServiceCollection AddDashboardApi(this IServiceCollection services)
    {
        services.AddOpenApi();
        services.AddSingleton<DashboardReader>();
        services.AddSingleton<LiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        return services;
    }

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi().AddEndpointFilter(ApiEndpoints.RequireKey);
        var api = endpoints.MapGroup("/api").AddEndpointFilter(ApiEndpoints.RequireKey).AddEndpointFilter(AnswerInvalidParameters)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/sentiment", SentimentAsync).WithName("sentiment").WithSummary("Sentiment over time (whole market when no symbol), from the rollups")
            .Produces<IReadOnlyList<SeriesPoint>>().Produces(200, contentType: "text/csv");
        api.MapGet("/items", ItemsAsync).WithName("items").WithSummary("Latest analysed items with their judgements, newest first, keyset-paginated")
            .Produces<IReadOnlyList<AnalysedItem>>().Produces(200, contentType: "text/csv");
        api.MapGet("/movers", MoversAsync).WithName("movers").WithSummary("Symbols with the strongest sentiment (sort=strength) or the largest swing (sort=swing) in a range")
            .Produces<IReadOnlyList<Mover>>().Produces(200, contentType: "text/csv");
        api.MapGet("/alerts", AlertsAsync).WithName("alerts").WithSummary("Alerts raised in a range, newest first")
            .Produces<IReadOnlyList<AlertEntry>>().Produces(200, contentType: "text/csv");
        api.MapGet("/pipeline", PipelineAsync).WithName("pipeline").WithSummary("Pipeline health: ingest rate, outbox backlog, latency p95, duplicate rate, failures, dependencies")
            .Produces<PipelineFigures>();
        api.MapGet("/stream", Stream).WithName("stream").WithSummary("Server-sent events: analysis, duplicate and alert as they are stored")
            .Produces(200, contentType: "text/event-stream");
        return endpoints;
    }

    private static async Task<IResult> SentimentAsync(
        HttpRequest request, DashboardReader reader, TimeProvider time,
        [FromQuery] string? symbol, [FromQuery(Name = "asset_class")] string? assetClass, [FromQuery] string? source,
        [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? interval, [FromQuery] string? format, CancellationToken cancellationToken)
    {
        var (start, end) = QueryParameters.Range(from, to, TimeSpan.FromHours(1), time);
        var grain = QueryParameters.Interval(interval, end - start);
        var csv = QueryParameters.WantsCsv(request, format);
        var key = QueryParameters.Symbol(symbol) ?? "*";
        var points = await reader.SeriesAsync(grain, key, start, end, QueryParameters.AssetClass(assetClass), QueryParameters.Source(source), cancellationToken);
        return csv
            ? Csv.Result("sentiment.csv", ["bucket", "items", "average_score", "bullish", "bearish", "neutral"], points,
                p => [p.Bucket, p.Items, Math.Round(p.AverageScore, 4), p.Bullish, p.Bearish, p.Neutral])
            : Results.Ok(new { symbol = key, interval = Name(grain), from = start, to = end, points });
    }

    private static async Task<IResult> ItemsAsync(
        HttpRequest request, HttpResponse response, DashboardReader reader, TimeProvider time,
        [FromQuery] string? symbol, [FromQuery] string? source, [FromQuery] string? label, [FromQuery] string? from, [FromQuery] string? to,
        [FromQuery] string? limit, [FromQuery] string? cursor, [FromQuery] string? format, CancellationToken cancellationToken)
    {
        var (start, end) = QueryParameters.Range(from, to, TimeSpan.FromDays(30), time);
        var size = QueryParameters.Limit(limit, 50);
        var csv = QueryParameters.WantsCsv(request, format);
        var items = await reader.ItemsAsync(QueryParameters.Symbol(symbol), QueryParameters.Source(source), QueryParameters.Label(label),
            start, end, QueryParameters.Cursor(cursor), size, cancellationToken);
        var next = items.Count == size ? QueryParameters.EncodeCursor(items[^1].AnalyzedAt, items[^1].Id, items[^1].Version) : null;
        if (!csv)
        {
            return Results.Ok(new { items, nextCursor = next });
        }

        if (next is not null)
        {
            response.Headers["X-Next-Cursor"] = next;
        }

        return Csv.Result("items.csv",
            ["id", "analyzed_at", "received_at", "source", "headline", "label", "score", "confidence", "asset_class", "symbols", "latency_ms", "copies", "version"],
            items, i => [i.Id, i.AnalyzedAt, i.ReceivedAt, i.Source, i.Headline, i.Label, Math.Round(i.Score, 4), Math.Round(i.Confidence, 4), i.AssetClass, i.Symbols, Math.Round(i.LatencyMs, 1), i.Copies, i.Version]);
    }

    private static async Task<IResult> MoversAsync(
        HttpRequest request, DashboardReader reader, TimeProvider time,
        [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? sort, [FromQuery] string? limit, [FromQuery] string? format, CancellationToken cancellationToken)
    {
        var (start, end) = QueryParameters.Range(from, to, TimeSpan.FromHours(1), time);
        var bySwing = sort switch
        {
            null or "strength" => false,
            "swing" => true,
            _ => throw new InvalidParameterException("sort", "sort must be strength or swing."),
        };
        var size = QueryParameters.Limit(limit, 20);
        var csv = QueryParameters.WantsCsv(request, format);
        var movers = await reader.MoversAsync(start, end, bySwing, size, cancellationToken);
        return csv
            ? Csv.Result("movers.csv", ["symbol", "items", "average_score", "swing"], movers,
                m => [m.Symbol, m.Items, Math.Round(m.AverageScore, 4), m.Swing is { } s ? Math.Round(s, 4) : null])
            : Results.Ok(new { from = start, to = end, sort = bySwing ? "swing" : "strength", movers });
    }

    private static async Task<IResult> AlertsAsync(
        HttpRequest request, DashboardReader reader, TimeProvider time,
        [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? symbol, [FromQuery] string? limit, [FromQuery] string? format, CancellationToken cancellationToken)
    {
        var (start, end) = QueryParameters.Range(from, to, TimeSpan.FromDays(1), time);
        var size = QueryParameters.Limit(limit, 100);
        var csv = QueryParameters.WantsCsv(request, format);
        var alerts = await reader.AlertsAsync(start, end, QueryParameters.Symbol(symbol), size, cancellationToken);
        return csv
            ? Csv.Result("alerts.csv", ["id", "created_at", "rule", "severity", "symbol", "item_id", "message"], alerts,
                a => [a.Id, a.CreatedAt, a.Rule, a.Severity, a.Symbol, a.ItemId, a.Message])
            : Results.Ok(new { from = start, to = end, alerts });
    }

    private static async Task<IResult> PipelineAsync(DashboardReader reader, HealthCheckService health, TimeProvider time, ILogger<LiveFeed> logger, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - PipelineWindow;
        var minutes = PipelineWindow.TotalMinutes;
        var report = await health.CheckHealthAsync(cancellationToken);
        var dependencies = report.Entries.ToDictionary(e => e.Key,
            e => new DependencyState(e.Value.Status == HealthStatus.Healthy, Math.Round(e.Value.Duration.TotalMilliseconds, 1), e.Value.Status == HealthStatus.Healthy ? null : e.Value.Description));

        (int Received, int Backlog)? ingest = null;
        (int Analysed, double? LatencyP95Ms, int Duplicates, int Failures)? analytics = null;
        try
        {
            ingest = await reader.IngestWindowAsync(since, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            DashboardLog.PipelineFiguresFailed(logger, "raw", e);
        }

        try
        {
            analytics = await reader.AnalyticsWindowAsync(since, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            DashboardLog.PipelineFiguresFailed(logger, "analytics", e);
        }

        var judged = analytics is { } a ? a.Analysed + a.Duplicates : 0;
        return Results.Ok(new PipelineFigures(
            (int)minutes,
            ingest?.Received / minutes,
            ingest?.Backlog,
            analytics?.Analysed / minutes,
            analytics?.LatencyP95Ms is { } p95 ? Math.Round(p95, 1) : null,
            analytics is { } d ? (judged == 0 ? 0 : Math.Round((double)d.Duplicates / judged, 4)) : null,
            analytics?.Failures,
            dependencies));
    }

    private static IResult Stream(LiveFeed feed, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Events(feed, cancellationToken));

    private static async IAsyncEnumerable<SseItem<object>> Events(LiveFeed feed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = feed.Subscribe();
        try
        {
            yield return new SseItem<object>(new { subscribers = feed.Subscribers }, "ready");
            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    more = true; // the heartbeat: proxies and the page's reader see the stream is alive
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                if (!more)
                {
                    yield break;
                }

                if (!channel.Reader.TryPeek(out _))
                {
                    yield return new SseItem<object>(new { }, "ping");
                }

                while (channel.Reader.TryRead(out var e))
                {
                    yield return new SseItem<object>(e.Data, e.Type);
                }
            }
        }
        finally
        {
            feed.Unsubscribe(channel);
        }
    }

    private static async ValueTask<object?> AnswerInvalidParameters(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (InvalidParameterException e)
        {
            return Results.Problem(statusCode: 400, title: $"Invalid parameter: {e.Parameter}", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["parameter"] = e.Parameter });
        }
    }

    private static string Name(RollupGrain grain) => grain switch
    {
        RollupGrain.Minute => "1m",
        RollupGrain.FiveMinutes => "5m",
        RollupGrain.Hour => "1h",
        _ => "1d",
    };
}
