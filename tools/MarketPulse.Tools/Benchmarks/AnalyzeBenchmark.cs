using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Cli;
using MarketPulse.Storage;
using MarketPulse.Webhooks;
using Npgsql;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>
/// <c>marketpulse bench analyze [--seconds 30] [--rate 100] [--burst 3000]</c>: hosts every role in this process
/// (configured databases, in-process broker, the embedded analyser) and measures, over real HTTP:
/// <list type="number">
/// <item>latency from webhook accepted to analytics row while <c>--rate</c> items/s are offered for <c>--seconds</c>;</item>
/// <item>capacity: <c>--burst</c> items posted at once, and the rate at which the worker finishes them.</item>
/// </list>
/// Texts are generated headlines, distinct enough that few are near duplicates; duplicates are counted apart.
/// </summary>
internal static class AnalyzeBenchmark
{
    private const double TargetItemsPerSecond = 300; // issue 10
    private const double TargetP95Milliseconds = 1000;
    private const int MiniLmSampleSize = 512;

    public static Command Create(string[] configuration)
    {
        var seconds = CommandOptions.WholeNumber("--seconds", "seconds of offered load", 30, 5, 3600);
        var rate = CommandOptions.WholeNumber("--rate", "items per second offered", 100, 1, 10_000);
        var burst = CommandOptions.WholeNumber("--burst", "items posted at once to measure capacity", 3000, 100, 1_000_000);
        var command = new Command("analyze", "webhook to analytics row with the embedded analyser") { seconds, rate, burst };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(seconds), parse.GetValue(rate), parse.GetValue(burst), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int seconds, int rate, int burst, string[] configuration, CancellationToken cancellationToken)
    {
        await using var run = new PipelineBenchRun("abench");
        var runId = run.RunId;
        Console.WriteLine($"MarketPulse analysis benchmark {runId}: {rate} items/s offered for {seconds} s, then a burst of {burst:N0}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {IngestBenchmark.LoadAverage()}");
        var startWatch = Stopwatch.StartNew();
        await run.StartAsync(configuration, cancellationToken);
        Console.WriteLine($"service ready in {startWatch.Elapsed.TotalSeconds:0.0} s (models loaded)");
        var app = run.App;
        var analytics = app.Services.GetRequiredService<Databases>().Analytics;
        var texts = run.Texts;

        // 1. Offered load: one request of rate/10 items every 100 ms.
        var perTick = Math.Max(1, rate / 10);
        var offered = 0;
        var errors = 0;
        var tick = TimeSpan.FromSeconds((double)perTick / rate);
        var watch = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        var posts = new List<Task<bool>>();
        while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            posts.Add(run.PostAsync(texts.Take(perTick), cancellationToken));
            offered += perTick;
            next += tick;
            var wait = next - watch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            if (offered % (rate * 5) < perTick)
            {
                var done = await FinishedAsync(analytics, runId + "-o", cancellationToken);
                Console.WriteLine($"  {watch.Elapsed.TotalSeconds,5:0} s  offered {offered,7:N0}  finished {done,7:N0}");
            }
        }

        errors += (await Task.WhenAll(posts)).Count(ok => !ok);
        await WaitForAsync(analytics, runId + "-o", offered - (errors * perTick), cancellationToken);
        var (analysed, duplicates, p50, p95, p99) = await LatencyAsync(analytics, runId + "-o", cancellationToken);
        Console.WriteLine();
        Console.WriteLine($"offered load: {offered:N0} items at {rate} items/s; {analysed:N0} analysed, {duplicates:N0} duplicates, {errors} failed request(s)");
        Console.WriteLine($"latency webhook accepted -> analytics row: p50 {p50:0} ms, p95 {p95:0} ms, p99 {p99:0} ms");

        // 2. Capacity: a burst posted as fast as the ingest path takes it; the worker's finishing rate.
        texts.Phase = "-b";
        Console.WriteLine();
        Console.WriteLine($"burst: posting {burst:N0} items in requests of 50");
        var burstWatch = Stopwatch.StartNew();
        var burstPosts = new List<Task<bool>>();
        for (var sent = 0; sent < burst; sent += 50)
        {
            burstPosts.Add(run.PostAsync(texts.Take(Math.Min(50, burst - sent)), cancellationToken));
            if (burstPosts.Count % 8 == 0)
            {
                await Task.WhenAll(burstPosts.TakeLast(8));
            }
        }

        var burstErrors = (await Task.WhenAll(burstPosts)).Count(ok => !ok);
        var posted = burstWatch.Elapsed;
        await WaitForAsync(analytics, runId + "-b", burst - (burstErrors * 50), cancellationToken);
        var burstElapsed = burstWatch.Elapsed;
        var (bAnalysed, bDuplicates, _, _, _) = await LatencyAsync(analytics, runId + "-b", cancellationToken);
        var itemsPerSecond = (bAnalysed + bDuplicates) / burstElapsed.TotalSeconds;
        Console.WriteLine($"burst: posted in {posted.TotalSeconds:0.0} s, all finished after {burstElapsed.TotalSeconds:0.0} s: {itemsPerSecond:0} items/s ({bAnalysed:N0} analysed, {bDuplicates:N0} duplicates, {burstErrors} failed request(s))");
        Console.WriteLine($"load average after: {IngestBenchmark.LoadAverage()}; process memory {Environment.WorkingSet / (1024 * 1024):N0} MiB");
        var met = analysed > 0 && bAnalysed > 0 && itemsPerSecond >= TargetItemsPerSecond && p95 < TargetP95Milliseconds && errors + burstErrors == 0;
        Console.WriteLine($"target (>= {TargetItemsPerSecond} items/s analysed, p95 < {TargetP95Milliseconds} ms at {rate} items/s offered): {(met ? "met" : "not met")}");

        await run.StopAsync();

        // MiniLM alone, the service's embedder against float32 on the same texts in this run, after the service
        // stopped: the pipeline's rate is read against what the encoder itself manages on this machine now.
        var sample = texts.Take(MiniLmSampleSize).Select(t => $"{t.Title}. {t.Summary}").ToList();
        var shipped = app.Services.GetRequiredService<ITextEmbedder>();
        using (var float32 = new MiniLmEmbedder(EmbeddingPrecision.Float32))
        {
            var shippedRate = TextsPerSecond(shipped, sample);
            var float32Rate = TextsPerSecond(float32, sample);
            Console.WriteLine($"MiniLM alone on {sample.Count} of these texts: {shipped.ModelId} {shippedRate:0} texts/s, float32 {float32Rate:0} texts/s (x{shippedRate / float32Rate:0.00}); load average {IngestBenchmark.LoadAverage()}");
        }

        return errors + burstErrors == 0 ? 0 : 1;
    }

    /// <summary>Texts a second over one pass of <paramref name="sample"/>, after a warm-up batch.</summary>
    private static double TextsPerSecond(ITextEmbedder embedder, List<string> sample)
    {
        embedder.Embed(sample[..Math.Min(32, sample.Count)]);
        var watch = Stopwatch.StartNew();
        embedder.Embed(sample);
        return sample.Count / watch.Elapsed.TotalSeconds;
    }

    internal static async Task<bool> PostAsync(HttpClient client, string secret, IReadOnlyList<(string Id, string Title, string Summary)> items, CancellationToken cancellationToken)
    {
        var array = new JsonArray();
        foreach (var (id, title, summary) in items)
        {
            array.Add(new JsonObject
            {
                ["id"] = id,
                ["title"] = title,
                ["summary"] = summary,
                ["url"] = $"https://bench.example.com/{id}",
                ["published_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["source"] = "Bench Wire",
            });
        }

        var body = Encoding.UTF8.GetBytes(new JsonObject { ["items"] = array }.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/news") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        WebhookSignature.AddHeaders(request, secret, body, DateTimeOffset.UtcNow);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    internal static async Task<long> FinishedAsync(NpgsqlDataSource analytics, string prefix, CancellationToken cancellationToken)
    {
        await using var command = analytics.CreateCommand("""
            SELECT (SELECT count(*) FROM analysis_results WHERE source = 'news' AND external_id LIKE $1)
                 + (SELECT count(*) FROM duplicates WHERE source = 'news' AND external_id LIKE $1)
            """);
        command.Parameters.AddWithValue(prefix + "%");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task WaitForAsync(NpgsqlDataSource analytics, string prefix, long expected, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (await FinishedAsync(analytics, prefix, cancellationToken) < expected && deadline.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<(long Analysed, long Duplicates, double P50, double P95, double P99)> LatencyAsync(NpgsqlDataSource analytics, string prefix, CancellationToken cancellationToken)
    {
        await using var command = analytics.CreateCommand("""
            SELECT count(*),
                   (SELECT count(*) FROM duplicates WHERE source = 'news' AND external_id LIKE $1),
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), 0),
                   coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms), 0),
                   coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms), 0)
            FROM analysis_results WHERE source = 'news' AND external_id LIKE $1
            """);
        command.Parameters.AddWithValue(prefix + "%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4));
    }

    internal static async Task DeleteKeysAsync(StackExchange.Redis.IConnectionMultiplexer redis, string prefix)
    {
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            var batch = new List<StackExchange.Redis.RedisKey>();
            await foreach (var key in server.KeysAsync(pattern: $"*{prefix}*", pageSize: 1000))
            {
                batch.Add(key);
                if (batch.Count == 1000)
                {
                    await redis.GetDatabase().KeyDeleteAsync([.. batch]);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await redis.GetDatabase().KeyDeleteAsync([.. batch]);
            }
        }
    }

    /// <summary>Generated market headlines, varied in company, event, cause and figures.</summary>
    internal sealed class Headlines(string runId, int seed)
    {
        private static readonly string[] Companies = ["Infosys", "Reliance Industries", "HDFC Bank", "Tata Motors", "Apple", "Microsoft", "Nvidia", "Tesla", "ICICI Bank", "Wipro", "Amazon", "Maruti Suzuki", "Adani Ports", "Bharti Airtel", "Sun Pharma", "JPMorgan", "Boeing", "Intel", "Larsen & Toubro", "Asian Paints", "Coal India", "Netflix", "Alphabet", "Meta", "Hindustan Unilever", "ITC", "Bajaj Finance", "Axis Bank", "Kotak Mahindra Bank", "Titan"];
        private static readonly string[] Events = ["shares jump {0}% after", "stock slides {0}% on", "posts a {0}% rise in quarterly profit on", "cuts its annual outlook by {0}% citing", "wins a {0} billion rupee order amid", "shares are flat as investors weigh", "misses estimates by {0}% as", "raises its dividend {0}% following", "falls to a {0}-week low after", "rallies {0}% as brokers cheer"];
        private static readonly string[] Causes = ["strong demand in the domestic market", "a surprise regulatory probe", "weak export orders from Europe", "rising input costs and a softer rupee", "an upgrade from a global brokerage", "a management shake-up at the top", "record festive season sales", "a slowdown in cloud spending", "lower crude oil prices", "a new product launch in the United States", "delays at its main factory", "higher interest rates from the central bank"];
        private static readonly string[] Tails = ["Analysts expect margins to hold.", "The board meets next week.", "Trading volumes were twice the monthly average.", "The company did not comment.", "Peers moved in the same direction.", "Options traders bet on more swings."];
        private readonly Random _random = new(seed);
        private long _n;

        public string Phase { get; set; } = "-o";

        public IReadOnlyList<(string Id, string Title, string Summary)> Take(int count) =>
            Enumerable.Range(0, count).Select(_ =>
            {
                var n = Interlocked.Increment(ref _n);
                var company = Companies[_random.Next(Companies.Length)];
                var ev = string.Format(CultureInfo.InvariantCulture, Events[_random.Next(Events.Length)], _random.Next(2, 40));
                var title = $"{company} {ev} {Causes[_random.Next(Causes.Length)]}";
                var summary = $"{Tails[_random.Next(Tails.Length)]} Session {n % 997} of the quarter; volume {_random.Next(1, 90)} lakh shares.";
                return ($"{runId}{Phase}-{n}", title, summary);
            }).ToList();
    }
}
