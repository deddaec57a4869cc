using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MarketPulse.Analysis.Dedup;
using StackExchange.Redis;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>Figures of one recall level of planted pairs.</summary>
public sealed record DedupLevelResult(double Similarity, int Pairs, int ReportedDuplicate);

/// <summary>What <see cref="DedupBenchmark.RunAsync"/> measured.</summary>
public sealed record DedupBenchmarkReport(
    int Vectors,
    int Queries,
    int Dimensions,
    string Layout,
    TimeSpan LoadTime,
    double P50Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    double ServerMicrosecondsPerCheck,
    double MeanCandidates,
    int TruePairs,
    int FoundPairs,
    int FalsePositives,
    double MaxSimilarityError,
    IReadOnlyList<DedupLevelResult> Levels,
    int BruteForceSample,
    int BruteForceAgreements,
    long UsedMemoryBytes,
    long KeysDeleted)
{
    public double Recall => TruePairs == 0 ? 1 : (double)FoundPairs / TruePairs;

    public double BytesPerItem => (double)UsedMemoryBytes / Vectors;

    /// <summary>Markdown summary for docs/benchmarks.md.</summary>
    public void WriteMarkdown(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine("| Figure | Value |");
        writer.WriteLine("|---|---|");
        writer.WriteLine(string.Create(c, $"| Vectors loaded | {Vectors:N0} × {Dimensions} dims, layout {Layout} |"));
        writer.WriteLine(string.Create(c, $"| Load time (batched inserts, 6 in flight) | {LoadTime.TotalSeconds:F0} s ({Vectors / LoadTime.TotalSeconds:F0} items/s) |"));
        writer.WriteLine(string.Create(c, $"| Check-and-insert latency, {Queries:N0} sequential calls | p50 {P50Milliseconds:F2} ms, p99 {P99Milliseconds:F2} ms, max {MaxMilliseconds:F2} ms |"));
        writer.WriteLine(string.Create(c, $"| Script time inside Redis per check (INFO commandstats, shared server) | {ServerMicrosecondsPerCheck:F0} µs |"));
        writer.WriteLine(string.Create(c, $"| Candidates re-ranked per check | {MeanCandidates:F1} on average |"));
        writer.WriteLine(string.Create(c, $"| Recall of planted pairs ≥ threshold | {FoundPairs}/{TruePairs} = {Recall:P2} |"));
        writer.WriteLine(string.Create(c, $"| Reported duplicates below threshold | {FalsePositives} |"));
        writer.WriteLine(string.Create(c, $"| Max error of the Lua cosine (int8 storage) vs float64 | {MaxSimilarityError:F5} |"));
        writer.WriteLine(string.Create(c, $"| Brute-force scan agreement (sample) | {BruteForceAgreements}/{BruteForceSample} |"));
        writer.WriteLine(string.Create(c, $"| Redis used_memory growth | {UsedMemoryBytes / 1048576.0:F0} MiB = {BytesPerItem:F0} bytes per item |"));
        writer.WriteLine(string.Create(c, $"| Keys deleted afterwards | {KeysDeleted:N0} |"));
        writer.WriteLine();
        writer.WriteLine("| Planted similarity | Pairs | Reported duplicate |");
        writer.WriteLine("|---|---|---|");
        foreach (var level in Levels)
        {
            writer.WriteLine(string.Create(c, $"| {level.Similarity:F3} | {level.Pairs} | {level.ReportedDuplicate} ({(double)level.ReportedDuplicate / level.Pairs:P1}) |"));
        }
    }
}

/// <summary>
/// Loads synthetic unit vectors into a throw-away namespace of the given Redis, plants near copies at known
/// cosines, and measures latency, recall, false positives and memory; deletes its keys at the end.
/// </summary>
public static class DedupBenchmark
{
    private const int Dimensions = 384;
    private const string Model = "bench-synthetic";
    private const int Seed = 1_000_003;
    private static readonly double[] PlantedLevels = [0.90, 0.92, 0.94, 0.945, 0.955, 0.96, 0.97, 0.98, 0.99];

    public static async Task<DedupBenchmarkReport> RunAsync(
        IConnectionMultiplexer redis,
        int vectors,
        int queries,
        TextWriter progress,
        CancellationToken cancellationToken,
        DedupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThan(vectors, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(queries, 20);
        var prefix = "mp:bench:" + Guid.NewGuid().ToString("N")[..12];
        options ??= new DedupOptions();
        options.KeyPrefix = prefix;
        // Sized for the load, as a deployment would be; this also sets how band values are grouped into hashes.
        options.MaxVectors = vectors + queries;

        var candidates = new ConcurrentQueue<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DedupMetrics.MeterName && instrument.Name == "marketpulse.dedup.candidates")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => candidates.Enqueue(value));
        listener.Start();

        using var index = new NearDuplicateIndex(redis, Options.Create(options), TimeProvider.System, NullLogger<NearDuplicateIndex>.Instance);
        try
        {
            var memoryBefore = await UsedMemoryAsync(redis, cancellationToken);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dedup bench: prefix {prefix}, loading {vectors:N0} vectors"));

            // Loading uses the insert half of the script in batches (no look-up: random vectors have no near
            // copies, which the brute-force scan below confirms for a sample); the checks are timed afterwards.
            var load = Stopwatch.StartNew();
            var loaded = 0;
            const int batchSize = 100;
            await Parallel.ForEachAsync(Enumerable.Range(0, (vectors + batchSize - 1) / batchSize),
                new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = cancellationToken },
                async (batch, ct) =>
                {
                    var items = Enumerable.Range(batch * batchSize, Math.Min(batchSize, vectors - (batch * batchSize)))
                        .Select(i => (ItemId(i), Background(i))).ToList();
                    await index.InsertBatchAsync(items, Model, ct);
                    var n = Interlocked.Add(ref loaded, items.Count);
                    if (n / 50_000 != (n - items.Count) / 50_000)
                    {
                        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dedup bench: loaded {n:N0} in {load.Elapsed.TotalSeconds:F0} s ({n / load.Elapsed.TotalSeconds:F0}/s)"));
                    }
                });
            load.Stop();
            var memoryAfter = await UsedMemoryAsync(redis, cancellationToken);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dedup bench: loaded in {load.Elapsed.TotalSeconds:F0} s; used_memory +{(memoryAfter - memoryBefore) / 1048576.0:F0} MiB"));
            candidates.Clear();

            // Half the queries are planted copies of loaded vectors at known cosines, half fresh random vectors.
            var random = new Random(Seed);
            var (callsBefore, microsBefore) = await EvalShaStatsAsync(redis, cancellationToken);
            var planted = queries / 2;
            var stride = Math.Max(1, vectors / planted);
            var latencies = new double[queries];
            var queryVectors = new float[queries][];
            var expectedOriginal = new int[queries];
            var exactSimilarity = new double[queries];
            var decisions = new DedupDecision[queries];
            for (var q = 0; q < queries; q++)
            {
                if (q % 2 == 0 && q / 2 < planted)
                {
                    var original = q / 2 * stride % vectors;
                    var level = PlantedLevels[q / 2 % PlantedLevels.Length];
                    var baseVector = Background(original);
                    queryVectors[q] = SyntheticVectors.AtSimilarity(random, baseVector, level);
                    expectedOriginal[q] = original;
                    exactSimilarity[q] = SyntheticVectors.Cosine(baseVector, queryVectors[q]);
                }
                else
                {
                    queryVectors[q] = SyntheticVectors.RandomUnit(random, Dimensions);
                    expectedOriginal[q] = -1;
                }

                var start = Stopwatch.GetTimestamp();
                decisions[q] = await index.CheckNearAsync($"q{q}", queryVectors[q], Model, cancellationToken);
                latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            var (callsAfter, microsAfter) = await EvalShaStatsAsync(redis, cancellationToken);
            var serverMicros = callsAfter > callsBefore ? (double)(microsAfter - microsBefore) / (callsAfter - callsBefore) : 0;
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dedup bench: {queries:N0} queries done; brute-force scan of a sample"));

            var truePairs = 0;
            var found = 0;
            var falsePositives = 0;
            var maxError = 0.0;
            var levels = PlantedLevels.Select(l => (Level: l, Pairs: 0, Reported: 0)).ToArray();
            for (var q = 0; q < queries; q++)
            {
                var isDuplicate = decisions[q].Outcome == DedupOutcome.NearDuplicate;
                if (expectedOriginal[q] < 0)
                {
                    falsePositives += isDuplicate ? 1 : 0;
                    continue;
                }

                var li = Array.FindIndex(PlantedLevels, l => Math.Abs(l - exactSimilarity[q]) < 0.001);
                levels[li].Pairs++;
                levels[li].Reported += isDuplicate ? 1 : 0;
                if (exactSimilarity[q] >= options.Threshold)
                {
                    truePairs++;
                    if (isDuplicate && decisions[q].OriginalId == ItemId(expectedOriginal[q]))
                    {
                        found++;
                        maxError = Math.Max(maxError, Math.Abs(decisions[q].Similarity - exactSimilarity[q]));
                    }
                }
                else if (isDuplicate)
                {
                    falsePositives++;
                }
            }

            var (sample, agreements) = BruteForce(vectors, queryVectors, decisions, options.Threshold, Math.Min(queries, 200), cancellationToken);

            Array.Sort(latencies);
            var report = new DedupBenchmarkReport(
                vectors, queries, Dimensions,
                $"{options.Bands} bands × {options.RowsPerBand} rows, {options.BucketsPerWindow} buckets per window",
                load.Elapsed,
                Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], serverMicros,
                candidates.IsEmpty ? 0 : candidates.Average(),
                truePairs, found, falsePositives, maxError,
                levels.Select(l => new DedupLevelResult(l.Level, l.Pairs, l.Reported)).ToList(),
                sample, agreements, memoryAfter - memoryBefore, 0);
            return report with { KeysDeleted = await DeleteAsync(redis, prefix, progress, cancellationToken) };
        }
        catch
        {
            await DeleteAsync(redis, prefix, progress, CancellationToken.None);
            throw;
        }
    }

    private static string ItemId(int i) => string.Create(CultureInfo.InvariantCulture, $"v{i}");

    /// <summary>Background vector <paramref name="i"/>; regenerated on demand instead of holding 1.5 GB.</summary>
    private static float[] Background(int i) => SyntheticVectors.RandomUnit(new Random(unchecked((Seed * 7919) + i)), Dimensions);

    /// <summary>
    /// Exact scan over every loaded vector for a sample of queries: does the best cosine reach the threshold,
    /// and does the index say the same (same original)?
    /// </summary>
    private static (int Sample, int Agreements) BruteForce(
        int vectors, float[][] queries, DedupDecision[] decisions, double threshold, int sample, CancellationToken ct)
    {
        var picked = Enumerable.Range(0, sample).Select(k => k * queries.Length / sample).ToArray();
        var best = Enumerable.Repeat(double.MinValue, sample).ToArray();
        var bestIndex = new int[sample];
        var gate = new Lock();
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { CancellationToken = ct }, worker =>
        {
            var localBest = Enumerable.Repeat(double.MinValue, sample).ToArray();
            var localIndex = new int[sample];
            for (var i = worker; i < vectors; i += Environment.ProcessorCount)
            {
                var v = Background(i);
                for (var s = 0; s < sample; s++)
                {
                    double dot = HyperplaneLsh.Dot(v, queries[picked[s]]);
                    if (dot > localBest[s])
                    {
                        localBest[s] = dot;
                        localIndex[s] = i;
                    }
                }
            }

            lock (gate)
            {
                for (var s = 0; s < sample; s++)
                {
                    if (localBest[s] > best[s])
                    {
                        best[s] = localBest[s];
                        bestIndex[s] = localIndex[s];
                    }
                }
            }
        });

        var agreements = 0;
        for (var s = 0; s < sample; s++)
        {
            var decision = decisions[picked[s]];
            var truth = best[s] >= threshold;
            var agrees = truth
                ? decision.Outcome == DedupOutcome.NearDuplicate && decision.OriginalId == ItemId(bestIndex[s])
                : decision.Outcome == DedupOutcome.Original;
            agreements += agrees ? 1 : 0;
        }

        return (sample, agreements);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task<(long Calls, long Micros)> EvalShaStatsAsync(IConnectionMultiplexer redis, CancellationToken ct)
    {
        var info = (string?)await redis.GetDatabase().ExecuteAsync("INFO", "commandstats").WaitAsync(ct) ?? string.Empty;
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal))
            {
                long calls = 0, micros = 0;
                foreach (var part in line["cmdstat_evalsha:".Length..].Trim().Split(','))
                {
                    var kv = part.Split('=');
                    if (kv[0] == "calls")
                    {
                        calls = long.Parse(kv[1], CultureInfo.InvariantCulture);
                    }
                    else if (kv[0] == "usec")
                    {
                        micros = long.Parse(kv[1], CultureInfo.InvariantCulture);
                    }
                }

                return (calls, micros);
            }
        }

        return (0, 0);
    }

    private static async Task<long> UsedMemoryAsync(IConnectionMultiplexer redis, CancellationToken ct)
    {
        var info = (string?)await redis.GetDatabase().ExecuteAsync("INFO", "memory").WaitAsync(ct) ?? string.Empty;
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith("used_memory:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan("used_memory:".Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("INFO memory has no used_memory line.");
    }

    /// <summary>SCAN for the benchmark's keys and UNLINK them in batches, leaving the shared Redis as found.</summary>
    private static async Task<long> DeleteAsync(IConnectionMultiplexer redis, string prefix, TextWriter progress, CancellationToken ct)
    {
        long deleted = 0;
        var db = redis.GetDatabase();
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            var batch = new List<RedisKey>(1000);
            await foreach (var key in server.KeysAsync(pattern: "*" + prefix + "*", pageSize: 1000).WithCancellation(ct))
            {
                batch.Add(key);
                if (batch.Count == 1000)
                {
                    deleted += await db.KeyDeleteAsync([.. batch], CommandFlags.None).WaitAsync(ct);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                deleted += await db.KeyDeleteAsync([.. batch]).WaitAsync(ct);
            }
        }

        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dedup bench: deleted {deleted:N0} keys of {prefix}"));
        return deleted;
    }
}
