using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Confluent.Kafka;
using MarketPulse.Cli;
using MarketPulse.Tools.Benchmarks;
using MarketPulse.Webhooks;
using Npgsql;

namespace MarketPulse.Tools.Chaos;

/// <summary>
/// <c>marketpulse chaos [--rate 50] [--seconds 20]</c>: the fault suite. Starts the development broker, ingest and two
/// analyze workers as separate processes on a private stack (MP_DATA_DIR, MP_PG_PORT, MP_REDIS_PORT, as for
/// scripts/stack.sh), offers signed news items, injects one fault per phase, waits for recovery and checks that
/// every accepted item has exactly one outcome and every result one message on the result topic.
/// </summary>
internal static class ChaosCommand
{

    public static Command Create(string[] configuration)
    {
        var rate = CommandOptions.WholeNumber("--rate", "items per second offered", 50, 10, 1000);
        var seconds = CommandOptions.WholeNumber("--seconds", "seconds of load per phase (the fault comes halfway)", 20, 4, 600);
        var down = CommandOptions.WholeNumber("--down", "seconds a restarted dependency stays down", 5, 0, 120);
        var recovery = CommandOptions.WholeNumber("--recovery", "seconds to wait for every accepted item's outcome after a fault", 180, 10, 3600);
        var only = new Option<string?>("--only") { Description = "run only the phases whose name contains this text (e.g. broker)" };
        var command = new Command("chaos", "fault suite: kills and restarts roles and dependencies of a private stack under load, checks nothing is lost or doubled") { rate, seconds, down, recovery, only };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(down), parse.GetValue(only), TimeSpan.FromSeconds(parse.GetValue(recovery)), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rate, int seconds, int down, string? only, TimeSpan recoveryLimit, string[] configurationArgs, CancellationToken cancellationToken)
    {
        var stack = Environment.GetEnvironmentVariable("MP_STACK_SCRIPT");
        var serviceDll = Environment.GetEnvironmentVariable("MP_SERVICE_DLL");
        var dataDir = Environment.GetEnvironmentVariable("MP_DATA_DIR");
        var pgPort = Environment.GetEnvironmentVariable("MP_PG_PORT");
        var redisPort = Environment.GetEnvironmentVariable("MP_REDIS_PORT");
        // The suite stops PostgreSQL and Redis: never the shared default stack.
        if (stack is null || serviceDll is null || string.IsNullOrEmpty(dataDir) || string.IsNullOrEmpty(pgPort) || string.IsNullOrEmpty(redisPort) || pgPort == "54329" || redisPort == "63799")
        {
            Console.Error.WriteLine("chaos restarts PostgreSQL and Redis: run it through ./marketpulse with a private stack, e.g. MP_DATA_DIR=/tmp/chaos-data MP_PG_PORT=55439 MP_REDIS_PORT=63899 (start it with scripts/stack.sh start, same variables)");
            return 2;
        }

        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(configurationArgs).Build();
        var analyticsConnection = configuration.GetConnectionString("Analytics");
        if (analyticsConnection is null || !analyticsConnection.Contains($"Port={pgPort}", StringComparison.Ordinal) || configuration["Redis:Configuration"]?.EndsWith(":" + redisPort, StringComparison.Ordinal) != true)
        {
            Console.Error.WriteLine($"chaos: ConnectionStrings__* and Redis__Configuration must point at the private stack (PostgreSQL port {pgPort}, Redis port {redisPort}): eval \"$(scripts/stack.sh env)\" with the same variables, or leave them unset");
            return 2;
        }

        var runId = $"chaos-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var logDir = Path.Combine(dataDir, runId);
        Directory.CreateDirectory(logDir);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Console.WriteLine($"MarketPulse fault suite {runId}: {rate} items/s, {seconds} s of load per phase; logs in {logDir}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {IngestBenchmark.LoadAverage()}");

        var addressFile = Path.Combine(logDir, "broker.address");
        // A fixed port: the broker started again has the same address, so the roles stay up and must notice themselves.
        using var broker = new ChildProcess("broker", serviceDll, $"broker --port {FreePort()} --address-file \"{addressFile}\"", new Dictionary<string, string>(), Path.Combine(logDir, "broker.log"));
        broker.Start();
        var bootstrap = await WaitForFileAsync(addressFile, cancellationToken);
        var ingestPort = FreePort();
        var common = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = bootstrap,
            ["Dedup__KeyPrefix"] = "mp:" + runId,
            ["Logging__LogLevel__Default"] = "Warning",
            // The broker command creates the topics; the mock cluster times out on a create request.
            ["Kafka__CreateTopics"] = "false",
        };
        var ingestEnv = new Dictionary<string, string>(common)
        {
            ["Urls"] = $"http://127.0.0.1:{ingestPort}",
            ["Database__MigrateOnStart"] = "true",
            ["Webhooks__Sources__news__Secret"] = secret,
            ["Webhooks__SourcePermitsPerSecond"] = "1000000",
            ["Webhooks__ClientPermitsPerSecond"] = "1000000",
        };
        using var ingest = new ChildProcess("ingest", serviceDll, "serve --target ingest", ingestEnv, Path.Combine(logDir, "ingest.log"));
        ingest.Start();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ingestPort}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitReadyAsync(http, ingest, cancellationToken);

        var workers = new List<ChildProcess>();
        var workerEnvs = new List<Dictionary<string, string>>();
        var workerPorts = new List<int>();
        for (var i = 1; i <= 2; i++)
        {
            var port = FreePort();
            workerPorts.Add(port);
            var env = new Dictionary<string, string>(common) { ["Urls"] = $"http://127.0.0.1:{port}", ["Analysis__Analyzer"] = "embedded" };
            workerEnvs.Add(env);
            workers.Add(new ChildProcess($"analyze-{i}", serviceDll, "serve --target analyze", env, Path.Combine(logDir, $"analyze-{i}.log")));
        }

        await using var ollama = new OllamaStandIn(FreePort());
        try
        {
            foreach (var worker in workers)
            {
                worker.Start();
            }

            for (var i = 0; i < workers.Count; i++)
            {
                using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{workerPorts[i]}") };
                await WaitReadyAsync(probe, workers[i], cancellationToken);
            }

            Console.WriteLine($"broker at {bootstrap}, ingest at {http.BaseAddress}, 2 analyze workers ready");
            await using var analytics = NpgsqlDataSource.Create(analyticsConnection);
            using var results = new ResultTopicCounter(bootstrap, configuration["Kafka:Aggregation:Name"] ?? "aggregation_topic", runId);
            var load = new Load(http, secret, new BenchPayloads(runId, DateTimeOffset.UtcNow, Math.Max(1, rate / 10)), rate);

            var faults = new (string Name, Func<Task> Inject)[]
            {
                ("none (baseline)", () => Task.CompletedTask),
                ("SIGKILL analyze-1, start it again", async () =>
                {
                    workers[0].Kill();
                    await Task.Delay(TimeSpan.FromSeconds(down), cancellationToken);
                    workers[0].Start();
                }),
                ($"restart PostgreSQL ({down} s down)", () => RunStackAsync(stack, "postgresql", down, cancellationToken)),
                ($"restart Redis ({down} s down)", () => RunStackAsync(stack, "redis", down, cancellationToken)),
                // The broker comes back empty on the same port; ingest notices (Kafka:LossCheckInterval) and queues
                // again what had no outcome.
                ("stop and start the broker", () => RestartBrokerAsync(leaveBacklog: false)),
                // The workers stop first, so the broker holds acknowledged, unconsumed messages when it goes.
                ("stop the workers, then the broker, start all", () => RestartBrokerAsync(leaveBacklog: true)),
                // The workers were moved to the stand-in before the load (UseOllamaAsync); Ollama__Fallback is left
                // at its default (Wait), so items wait for it rather than go to the embedded model.
                ($"Ollama stand-in: 500s, then refused ({down} s in all)", async () =>
                {
                    ollama.FailWith500();
                    await Task.Delay(TimeSpan.FromSeconds(down / 2.0), cancellationToken);
                    await ollama.StopAsync();
                    await Task.Delay(TimeSpan.FromSeconds(down / 2.0), cancellationToken);
                    await ollama.StartAsync(cancellationToken);
                }),
            };

            // The analyze workers started again with the stand-in as their analyser (kept for later phases).
            async Task UseOllamaAsync()
            {
                await ollama.StartAsync(cancellationToken);
                await Task.WhenAll(workers.Select(w => w.StopAsync(TimeSpan.FromSeconds(40))));
                foreach (var env in workerEnvs)
                {
                    env["Analysis__Analyzer"] = "ollama";
                    env["Ollama__Endpoint"] = ollama.Endpoint.ToString();
                    // Only exact embeddings are near duplicates: with distinct texts every item reaches the analyser.
                    env["Dedup__Threshold"] = "1";
                }

                load.DistinctTexts = true;

                workers.ForEach(w => w.Start());
                for (var i = 0; i < workers.Count; i++)
                {
                    using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{workerPorts[i]}") };
                    await WaitReadyAsync(probe, workers[i], cancellationToken);
                }
            }

            async Task RestartBrokerAsync(bool leaveBacklog)
            {
                if (leaveBacklog)
                {
                    await Task.WhenAll(workers.Select(w => w.StopAsync(TimeSpan.FromSeconds(40))));
                    await Task.Delay(TimeSpan.FromSeconds(down), cancellationToken);
                }

                await broker.StopAsync(TimeSpan.FromSeconds(10));
                File.Delete(addressFile);
                await Task.Delay(TimeSpan.FromSeconds(down), cancellationToken);
                broker.Start();
                await WaitForFileAsync(addressFile, cancellationToken);
                if (leaveBacklog)
                {
                    workers.ForEach(w => w.Start());
                }

                // The counter's positions were the old broker's: read the new one from its beginning.
                results.Connect(bootstrap);
            }

            var rows = new List<ChaosRow>();
            foreach (var (name, inject) in faults.Where(f => only is null || f.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
            {
                Console.WriteLine($"phase: {name}");
                if (name.StartsWith("Ollama", StringComparison.Ordinal) && !workerEnvs[0].ContainsKey("Ollama__Endpoint"))
                {
                    await UseOllamaAsync();
                }

                var first = load.AcceptedCount;
                var (answered, failed500) = (ollama.Answered, ollama.FailedWith500);
                var offering = load.RunAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(seconds / 2.0), cancellationToken);
                var faultAt = Stopwatch.StartNew();
                await inject();
                await offering;
                var ids = load.Accepted(first);
                var (tally, recovered) = await WaitForOutcomesAsync(analytics, results, runId, ids, recoveryLimit, cancellationToken);
                rows.Add(new ChaosRow(name, tally, recovered ? faultAt.Elapsed : null));
                Console.WriteLine($"  accepted {tally.Accepted:N0} ({load.Refused:N0} requests refused or failed so far), lost {tally.Lost}, duplicated rows {tally.DuplicatedRows}, recovered after {(recovered ? faultAt.Elapsed.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture) : "never")}");
                Console.WriteLine($"  outcomes by analyser: {await AnalysersAsync(analytics, ids, cancellationToken)}; the Ollama stand-in answered {ollama.Answered - answered:N0} requests, {ollama.FailedWith500 - failed500:N0} with 500");
            }

            Console.WriteLine();
            Console.Write(ChaosTable.Format(rows));
            Console.WriteLine($"load average after: {IngestBenchmark.LoadAverage()}");
            return rows.All(r => r.Tally.Lost == 0 && r.Tally.DuplicatedRows == 0 && r.Tally.MissingMessages == 0) ? 0 : 1;
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.StopAsync(TimeSpan.FromSeconds(40));
                worker.Dispose();
            }

            await ingest.StopAsync(TimeSpan.FromSeconds(40));
            await broker.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static async Task<(OutcomeTally Tally, bool Recovered)> WaitForOutcomesAsync(NpgsqlDataSource analytics, ResultTopicCounter results, string runId, IReadOnlyList<string> ids, TimeSpan recoveryLimit, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            OutcomeTally? tally = null;
            try
            {
                var (outcomes, analysed) = await OutcomesAsync(analytics, runId, cancellationToken);
                tally = OutcomeTally.Count(ids, outcomes, analysed, results.Snapshot());
                if (tally.Recovered)
                {
                    return (tally, true);
                }
            }
            catch (NpgsqlException)
            {
                // The database is still coming back.
            }

            if (watch.Elapsed > recoveryLimit)
            {
                return (tally ?? new OutcomeTally(ids.Count, ids.Count, 0, 0, 0), false);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private static async Task<(Dictionary<string, int> Outcomes, HashSet<string> Analysed)> OutcomesAsync(NpgsqlDataSource analytics, string runId, CancellationToken cancellationToken)
    {
        await using var command = analytics.CreateCommand("""
            SELECT external_id, 'r' FROM analysis_results WHERE source = 'news' AND external_id LIKE $1
            UNION ALL SELECT external_id, 'd' FROM duplicates WHERE source = 'news' AND external_id LIKE $1
            UNION ALL SELECT external_id, 'f' FROM analysis_failures WHERE source = 'news' AND external_id LIKE $1
            """);
        command.Parameters.AddWithValue(runId + "-%");
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var analysed = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            outcomes[id] = outcomes.GetValueOrDefault(id) + 1;
            if (reader.GetString(1) == "r")
            {
                analysed.Add(id);
            }
        }

        return (outcomes, analysed);
    }

    /// <summary>What the items' outcomes are: analysis rows per analyser, duplicate links, failure rows.</summary>
    private static async Task<string> AnalysersAsync(NpgsqlDataSource analytics, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        await using var command = analytics.CreateCommand("""
            SELECT 'analysed by ' || analyzer, count(*) FROM analysis_results WHERE source = 'news' AND external_id = ANY($1) GROUP BY analyzer
            UNION ALL SELECT 'duplicates', count(*) FROM duplicates WHERE source = 'news' AND external_id = ANY($1)
            UNION ALL SELECT 'failed', count(*) FROM analysis_failures WHERE source = 'news' AND external_id = ANY($1)
            """);
        command.Parameters.AddWithValue(ids.ToArray());
        var parts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            parts.Add($"{reader.GetString(0)} {reader.GetInt64(1):N0}");
        }

        return string.Join(", ", parts);
    }

    private static async Task RunStackAsync(string stack, string what, int down, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(stack, ["restart", what, down.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run " + stack);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{stack} restart {what} failed with {process.ExitCode}");
        }
    }

    private static async Task<string> WaitForFileAsync(string path, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 600; i++)
        {
            if (File.Exists(path) && (await File.ReadAllTextAsync(path, cancellationToken)).Trim() is { Length: > 0 } text)
            {
                return text;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("the broker did not write its address in 60 s");
    }

    private static async Task WaitReadyAsync(HttpClient client, ChildProcess process, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited at start; see its log");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(500, cancellationToken);
        }

        throw new TimeoutException($"{process.Name} not ready in 3 min");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Signed news requests at a steady rate; remembers the ids of every item answered 200.</summary>
    private sealed class Load(HttpClient client, string secret, BenchPayloads payloads, int rate)
    {
        private readonly ConcurrentQueue<string> _accepted = new();
        private readonly List<string> _ordered = [];
        private long _refused;

        public long Refused => Interlocked.Read(ref _refused);

        /// <summary>
        /// Each item's text made unique (its id appended), so none is an exact duplicate and, with
        /// <c>Dedup__Threshold=1</c>, every item reaches the analyser.
        /// </summary>
        public bool DistinctTexts { get; set; }

        public int AcceptedCount
        {
            get
            {
                Drain();
                return _ordered.Count;
            }
        }

        public IReadOnlyList<string> Accepted(int from)
        {
            Drain();
            return _ordered.Skip(from).ToList();
        }

        public async Task RunAsync(TimeSpan duration, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            var posts = new List<Task>();
            var tick = TimeSpan.FromSeconds(0.1);
            var next = TimeSpan.Zero;
            while (watch.Elapsed < duration)
            {
                var itemsNow = Math.Max(1, rate / 10);
                var payload = payloads.Create("news");
                posts.Add(PostAsync(DistinctTexts ? WithDistinctTexts(payload) : payload, cancellationToken));
                next += tick * (itemsNow * 10.0 / rate);
                if (next - watch.Elapsed is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait, cancellationToken);
                }
            }

            await Task.WhenAll(posts);
        }

        private static BenchRequest WithDistinctTexts(BenchRequest payload)
        {
            var body = System.Text.Json.Nodes.JsonNode.Parse(payload.Body)!;
            foreach (var item in body["items"]!.AsArray())
            {
                item!["summary"] = $"{item["summary"]} Desk reference {item["id"]}.";
            }

            return payload with { Body = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()) };
        }

        private async Task PostAsync(BenchRequest payload, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/news") { Content = new ByteArrayContent(payload.Body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            WebhookSignature.AddHeaders(request, secret, payload.Body, DateTimeOffset.UtcNow);
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref _refused);
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // No answer: the item may or may not be stored, so it is not counted as accepted.
                Interlocked.Increment(ref _refused);
                return;
            }

            using var document = JsonDocument.Parse(payload.Body);
            foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
            {
                _accepted.Enqueue(item.GetProperty("id").GetString()!);
            }
        }

        private void Drain()
        {
            while (_accepted.TryDequeue(out var id))
            {
                _ordered.Add(id);
            }
        }
    }

    /// <summary>Counts the messages per key of this run on the result topic, from the beginning, for the whole run.</summary>
    private sealed class ResultTopicCounter : IDisposable
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly string _topic;
        private readonly string _runId;
        private CancellationTokenSource _stop = new();
        private Thread _thread;

        public ResultTopicCounter(string bootstrap, string topic, string runId)
        {
            _topic = topic;
            _runId = runId;
            _thread = Consume(bootstrap, _stop.Token);
        }

        /// <summary>Counts on from a new broker (whose topics start empty).</summary>
        public void Connect(string bootstrap)
        {
            Stop();
            _stop = new CancellationTokenSource();
            _thread = Consume(bootstrap, _stop.Token);
        }

        private Thread Consume(string bootstrap, CancellationToken stop)
        {
            var topic = _topic;
            var runId = _runId;
            var consumer = new ConsumerBuilder<string, Ignore>(new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = "chaos-counter-" + runId,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = false,
            }).SetLogHandler((_, _) => { }).Build();
            consumer.Subscribe(topic);
            var prefix = "news:" + runId + "-";
            var thread = new Thread(() =>
            {
                using (consumer)
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message.Key: { } key } && key.StartsWith(prefix, StringComparison.Ordinal))
                            {
                                _counts.AddOrUpdate(key[5..], 1, (_, n) => n + 1);
                            }
                        }
                        catch (ConsumeException)
                        {
                        }
                    }

                    consumer.Close();
                }
            }) { IsBackground = true, Name = "chaos-result-counter" };
            thread.Start();
            return thread;
        }

        public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts, StringComparer.Ordinal);

        public void Dispose() => Stop();

        private void Stop()
        {
            _stop.Cancel();
            _thread.Join(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }
    }
}
