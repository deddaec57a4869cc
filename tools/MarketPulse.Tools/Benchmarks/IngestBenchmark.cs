using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using MarketPulse.Cli;
using MarketPulse.Hosting;
using MarketPulse.Ingestion;
using MarketPulse.Storage;
using MarketPulse.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// <c>marketpulse bench ingest [--seconds 60] [--concurrency 32] [--batch 10] [--warmup 15]</c>: hosts the ingest role
/// in this process (configured databases, migrations on, in-process mock broker, secrets made for the run),
/// drives signed webhooks of all five sources over real HTTP, and checks that every accepted item is in the
/// raw database and that the outbox drains to Kafka. A no-op endpoint driven the same way first gives this
/// machine's ceiling for HTTP alone.
/// </summary>
internal static class IngestBenchmark
{
    private const double TargetItemsPerSecond = 5_000;
    private const double TargetP99Milliseconds = 50;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(120);

    public static Command Create(string[] configuration)
    {
        var seconds = CommandOptions.WholeNumber("--seconds", "seconds of measured load", 60, 5, 3600);
        var concurrency = CommandOptions.WholeNumber("--concurrency", "requests in flight", 32, 1, 1024);
        var batch = CommandOptions.WholeNumber("--batch", "items per request", 10, 1, Limits.MaxBatchItems);
        var warmUp = CommandOptions.WholeNumber("--warmup", "seconds of load before the measurement, not in the figures", 15, 0, 600);
        var command = new Command("ingest", "signed webhooks of all sources over HTTP into the raw database, outbox to Kafka") { seconds, concurrency, batch, warmUp };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(seconds), parse.GetValue(concurrency), parse.GetValue(batch), parse.GetValue(warmUp), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int seconds, int concurrency, int batch, int warmUpSeconds, string[] configuration, CancellationToken cancellationToken)
    {
        var runStart = DateTimeOffset.UtcNow;
        var runId = $"bench-{runStart:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var secrets = SourceNormalizers.All.Keys.ToDictionary(s => s, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), StringComparer.Ordinal);
        var payloads = new BenchPayloads(runId, runStart, batch);
        CheckPayloads(payloads);

        Console.WriteLine($"MarketPulse ingest benchmark {runId}: {seconds} s, concurrency {concurrency}, {batch} item(s) per request, sources mixed");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        await using var app = BuildApp(HostTarget.Ingest, configuration, secrets);
        await app.StartAsync(cancellationToken);
        await using var noop = BuildNoOpApp();
        await noop.StartAsync(cancellationToken);
        using var published = new PublishedCounter();

        var ceilingSeconds = Math.Clamp(seconds / 4, 5, 15);
        Console.WriteLine($"[no-op ceiling] POST that reads the body and answers 200, {ceilingSeconds} s");
        var ceiling = await DriveAsync(Address(noop), payloads, secrets, concurrency, TimeSpan.FromSeconds(ceilingSeconds), null, cancellationToken);

        var metrics = app.Services.GetRequiredService<IngestMetrics>();
        Func<long> backlog = () => Interlocked.Read(ref metrics.OutboxBacklog);
        // JIT tiering (slow on a loaded machine), connection pools and PostgreSQL's caches settle first; these items are checked too.
        Console.WriteLine($"[ingest warm-up] {warmUpSeconds} s, not in the figures");
        var warmUp = warmUpSeconds == 0
            ? new LoadResult()
            : await DriveAsync(Address(app), payloads, secrets, concurrency, TimeSpan.FromSeconds(warmUpSeconds), backlog, cancellationToken);
        Console.WriteLine("[ingest] the real pipeline: signature, validation, grouped raw write + outbox, publisher to Kafka");
        var ingest = await DriveAsync(Address(app), payloads, secrets, concurrency, TimeSpan.FromSeconds(seconds), backlog, cancellationToken);

        var drainWatch = Stopwatch.StartNew();
        var raw = app.Services.GetRequiredService<Databases>().Raw;
        var pending = await RunOutboxRowsAsync(raw, runId, runStart, cancellationToken);
        while (pending > 0 && drainWatch.Elapsed < DrainDeadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            pending = await RunOutboxRowsAsync(raw, runId, runStart, cancellationToken);
        }

        var drained = drainWatch.Elapsed;
        var stored = await RunItemsAsync(raw, runId, runStart, cancellationToken);

        Console.WriteLine();
        Console.WriteLine($"load average after: {LoadAverage()}");
        Console.WriteLine($"{"",-16}{"requests/s",12}{"items/s",10}{"p50 ms",9}{"p95 ms",9}{"p99 ms",9}{"requests",10}{"errors",8}{"cores used",12}");
        Print("no-op ceiling", ceiling);
        Print("ingest", ingest);
        Console.WriteLine(ingest.Errors.IsEmpty
            ? "errors: none"
            : "errors: " + string.Join(", ", ingest.Errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} x{e.Value}")));
        if (ingest.Redelivered + warmUp.Redelivered > 0)
        {
            Console.WriteLine($"unexpected: {ingest.Redelivered + warmUp.Redelivered} item(s) answered already_stored (ids are meant to be unique to the run)");
        }

        var accepted = warmUp.Accepted + ingest.Accepted;
        var lost = accepted - stored;
        Console.WriteLine($"raw database: {stored:N0} item(s) of run {runId}; accepted {accepted:N0} (warm-up included); lost {Math.Max(0, lost):N0}; unacknowledged extra {Math.Max(0, -lost):N0}");
        Console.WriteLine(pending == 0
            ? $"outbox: drained {drained.TotalSeconds:N1} s after the load stopped; {published.Count:N0} message(s) acknowledged by Kafka (in-process mock broker)"
            : $"outbox: {pending:N0} row(s) of this run still unpublished after {DrainDeadline.TotalSeconds:N0} s");

        var itemsPerSecond = ingest.Accepted / ingest.Elapsed.TotalSeconds;
        var p99 = ingest.Percentile(0.99);
        var met = itemsPerSecond >= TargetItemsPerSecond && p99 < TargetP99Milliseconds && lost == 0 && ingest.Errors.IsEmpty;
        Console.WriteLine($"target (>= {TargetItemsPerSecond:N0} accepted items/s, p99 < {TargetP99Milliseconds:N0} ms, none lost, no errors): {(met ? "met" : "not met")}");
        await app.StopAsync(CancellationToken.None);
        await noop.StopAsync(CancellationToken.None);
        return lost == 0 && pending == 0 ? 0 : 1;
    }

    /// <summary>The service as a benchmark hosts it: configured databases, migrations on, in-process broker, run secrets.</summary>
    internal static WebApplication BuildApp(HostTarget target, string[] configurationArgs, Dictionary<string, string> secrets) =>
        MarketPulseApp.Build(target, [], builder =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Urls"] = "http://127.0.0.1:0",
                ["Database:MigrateOnStart"] = "true",
                ["Kafka:BootstrapServers"] = "",
                // One process holds every part of the run, so a single role may host the in-process broker.
                ["Kafka:AllowInProcessBroker"] = "true",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
                ["Logging:Database:MinimumLevel"] = "Warning",
                // The benchmark measures the pipeline, not the limiter, but keeps the limiter on the path.
                ["Webhooks:SourcePermitsPerSecond"] = "1000000",
                ["Webhooks:ClientPermitsPerSecond"] = "1000000",
            };
            foreach (var (source, secret) in secrets)
            {
                settings[$"Webhooks:Sources:{source}:Secret"] = secret;
            }

            builder.Configuration.AddInMemoryCollection(settings);
            builder.Configuration.AddCommandLine(configurationArgs);
        });

    private static WebApplication BuildNoOpApp()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/webhooks/{source}", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            return Results.Ok();
        });
        return app;
    }

    internal static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Fails fast when a generated payload would not be accepted as it is.</summary>
    private static void CheckPayloads(BenchPayloads payloads)
    {
        foreach (var source in SourceNormalizers.All.Keys)
        {
            var request = payloads.Create(source);
            using var document = JsonDocument.Parse(request.Body);
            var result = SourceNormalizers.All[source].Normalize(document.RootElement, DateTimeOffset.UtcNow);
            if (result.Errors.Count > 0 || result.Items.Count != request.Items || result.Items.Any(i => !i.Item.RawJson.Contains(payloads.RunId, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"bench payload for {source} is not accepted as generated: {string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}"))}");
            }
        }
    }

    private static async Task<LoadResult> DriveAsync(Uri address, BenchPayloads payloads, Dictionary<string, string> secrets, int concurrency, TimeSpan duration, Func<long>? backlog, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var result = new LoadResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkAsync(client, payloads, secrets, result, stop.Token), CancellationToken.None)).ToArray();

        var last = (Requests: 0L, Items: 0L, At: TimeSpan.Zero);
        var next = TimeSpan.Zero;
        while (next < duration)
        {
            next = Min(next + ProgressEvery, duration);
            if (next > watch.Elapsed)
            {
                await Task.Delay(next - watch.Elapsed, cancellationToken);
            }

            var now = (Requests: Interlocked.Read(ref result.Requests), Items: Interlocked.Read(ref result.Accepted), At: watch.Elapsed);
            var span = (now.At - last.At).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {now.At.TotalSeconds,5:F0} s  {(now.Requests - last.Requests) / span,8:N0} req/s  {(now.Items - last.Items) / span,8:N0} items/s  errors {result.ErrorCount,5:N0}{(backlog is null ? "" : $"  outbox backlog {backlog(),7:N0}")}"));
            last = now;
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        result.Elapsed = watch.Elapsed;
        result.ProcessCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return result;
    }

    private static async Task WorkAsync(HttpClient client, BenchPayloads payloads, Dictionary<string, string> secrets, LoadResult result, CancellationToken stop)
    {
        var latencies = new List<double>(1 << 16);
        while (!stop.IsCancellationRequested)
        {
            var request = payloads.Next();
            using var message = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{request.Source}") { Content = new ByteArrayContent(request.Body) };
            message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            WebhookSignature.AddHeaders(message, secrets[request.Source], request.Body, DateTimeOffset.UtcNow);
            var started = Stopwatch.GetTimestamp();
            try
            {
                // Not cancelled by the stop signal: a request in flight is finished and counted.
                using var response = await client.SendAsync(message, CancellationToken.None);
                var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref result.Requests);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Add(ref result.Accepted, CountOf(body, "\"status\":\"created\""u8, request.Items));
                    Interlocked.Add(ref result.Redelivered, CountOf(body, "\"status\":\"already_stored\""u8, 0));
                }
                else
                {
                    result.Error(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref result.Requests);
                result.Error(e.GetType().Name);
            }
        }

        lock (result.Latencies)
        {
            result.Latencies.AddRange(latencies);
        }
    }

    /// <summary>How often <paramref name="needle"/> occurs; the no-op endpoint's empty answer counts as <paramref name="whenEmpty"/>.</summary>
    private static long CountOf(ReadOnlySpan<byte> body, ReadOnlySpan<byte> needle, int whenEmpty)
    {
        if (body.IsEmpty)
        {
            return whenEmpty;
        }

        var count = 0L;
        int at;
        while ((at = body.IndexOf(needle)) >= 0)
        {
            count++;
            body = body[(at + needle.Length)..];
        }

        return count;
    }

    private static async Task<long> RunItemsAsync(Npgsql.NpgsqlDataSource raw, string runId, DateTimeOffset runStart, CancellationToken cancellationToken)
    {
        await using var command = raw.CreateCommand("SELECT count(*) FROM raw_items WHERE received_at >= $1 AND raw::text LIKE $2");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = runStart.AddSeconds(-5) });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = $"%\"{BenchPayloads.RunField}\": \"{runId}\"%" });
        command.CommandTimeout = 300;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<long> RunOutboxRowsAsync(Npgsql.NpgsqlDataSource raw, string runId, DateTimeOffset runStart, CancellationToken cancellationToken)
    {
        await using var command = raw.CreateCommand("""
            SELECT count(*) FROM outbox o JOIN raw_items r ON r.id = o.item_id
            WHERE r.received_at >= $1 AND r.raw::text LIKE $2
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = runStart.AddSeconds(-5) });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = $"%\"{BenchPayloads.RunField}\": \"{runId}\"%" });
        command.CommandTimeout = 300;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void Print(string name, LoadResult result)
    {
        var seconds = result.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-16}{result.Requests / seconds,12:N0}{result.Accepted / seconds,10:N0}{result.Percentile(0.50),9:F1}{result.Percentile(0.95),9:F1}{result.Percentile(0.99),9:F1}{result.Requests,10:N0}{result.ErrorCount,8:N0}{result.ProcessCpu.TotalSeconds / seconds,12:F2}"));
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class LoadResult
    {
        public long Requests;
        public long Accepted;
        public long Redelivered;

        public ConcurrentDictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

        public List<double> Latencies { get; } = [];

        public TimeSpan Elapsed { get; set; }

        /// <summary>CPU time of this whole process (load generator and server) while driving.</summary>
        public TimeSpan ProcessCpu { get; set; }

        public long ErrorCount => Errors.Values.Sum();

        public void Error(string kind) => Errors.AddOrUpdate(kind, 1, (_, n) => n + 1);

        public double Percentile(double p)
        {
            if (Latencies.Count == 0)
            {
                return double.NaN;
            }

            Latencies.Sort();
            return Latencies[Math.Min(Latencies.Count - 1, (int)Math.Ceiling(p * Latencies.Count) - 1)];
        }
    }

    /// <summary>Sums <c>marketpulse.outbox.published</c>: messages the broker acknowledged.</summary>
    private sealed class PublishedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public PublishedCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == IngestMetrics.MeterName && instrument.Name == "marketpulse.outbox.published")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
