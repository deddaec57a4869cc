using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MarketPulse.Analysis.Dedup;

/// <summary>
/// Exact and near-duplicate detection over a sliding time window, kept in Redis (core commands only).
/// <para>
/// A worker first calls <see cref="CheckExactAsync"/> with the <see cref="TextFingerprint.Hash"/> of the text;
/// only if that is not an exact copy does it embed the text and call <see cref="CheckNearAsync"/>, which
/// looks the vector up by LSH bands, re-ranks candidates by cosine and, when none reaches the threshold,
/// inserts it, all in one atomic script.
/// </para>
/// <para>
/// Both checks are idempotent per item id: repeating a call for the same item (a retry after a timeout)
/// returns <see cref="DedupOutcome.Original"/> again instead of reporting the item as a copy of itself.
/// Redis failures are thrown (<see cref="RedisException"/> or <see cref="RedisTimeoutException"/>), never
/// turned into a decision.
/// </para>
/// </summary>
public sealed class NearDuplicateIndex : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly DedupOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NearDuplicateIndex> _logger;
    private readonly DedupMetrics _metrics;
    private readonly ConcurrentDictionary<int, HyperplaneLsh> _lsh = new();
    private readonly int _lowBits;
    private readonly long _windowMs;
    private readonly long _bucketMs;
    private readonly string _layout;

    public NearDuplicateIndex(
        IConnectionMultiplexer redis,
        IOptions<DedupOptions> options,
        TimeProvider time,
        ILogger<NearDuplicateIndex> logger,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _options = options.Value;
        var validation = new DataAnnotationValidateOptions<DedupOptions>(null).Validate(null, _options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(DedupOptions), typeof(DedupOptions), validation.Failures);
        }

        _windowMs = (long)_options.Window.TotalMilliseconds;
        _bucketMs = Math.Max(1, _windowMs / _options.BucketsPerWindow);

        // Band values are spread over hash keys of about 64 fields each when the index is full, so the hashes
        // stay in Redis' compact listpack encoding (up to 128 entries) instead of costing a key per value.
        var highBits = (int)Math.Clamp(Math.Ceiling(Math.Log2(_options.MaxVectors / 64.0)), 0, _options.RowsPerBand);
        _lowBits = _options.RowsPerBand - highBits;
        _layout = string.Create(CultureInfo.InvariantCulture,
            $"{_options.Bands}x{_options.RowsPerBand}s{_options.Seed:x}h{highBits}w{_bucketMs}");
        _metrics = new DedupMetrics(meterFactory);
    }

    /// <summary>Name of the meter whose instruments this class records.</summary>
    public static string MeterName => DedupMetrics.MeterName;

    /// <summary>
    /// Claims <paramref name="textHash"/> for <paramref name="itemId"/> unless another item claimed it within the
    /// window. Returns <see cref="DedupOutcome.ExactDuplicate"/> with the first item's id, or
    /// <see cref="DedupOutcome.Original"/> meaning "not an exact copy; go on with the vector check".
    /// </summary>
    public async Task<DedupDecision> CheckExactAsync(string itemId, string textHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        ArgumentException.ThrowIfNullOrEmpty(textHash);
        if (textHash.Length > 128)
        {
            throw new ArgumentException("A text hash is at most 128 characters.", nameof(textHash));
        }

        var start = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        RedisResult result;
        try
        {
            result = await EvaluateAsync("exact", DedupScripts.ExactSha, DedupScripts.Exact,
                [new RedisKey($"{_options.KeyPrefix}:h:{textHash}")],
                [now, _windowMs, itemId], cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _metrics.Failed("exact");
            DedupLog.CheckFailed(_logger, ex, itemId);
            throw;
        }

        var reply = (RedisResult[])result!;
        var decision = (string?)reply[0] == "dup"
            ? new DedupDecision(DedupOutcome.ExactDuplicate, (string?)reply[1], 1.0)
            : new DedupDecision(DedupOutcome.Original, null, 0);
        if (decision.IsDuplicate)
        {
            DedupLog.ExactDuplicate(_logger, itemId, decision.OriginalId);
        }

        _metrics.Checked("exact", decision.Outcome, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return decision;
    }

    /// <summary>
    /// Atomically finds the most similar item of the same model within the window and, when its cosine is
    /// below the threshold, indexes this one. <paramref name="vector"/> is normalised here (any length &gt; 0).
    /// </summary>
    public async Task<DedupDecision> CheckNearAsync(
        string itemId, ReadOnlyMemory<float> vector, string modelId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        var unit = VectorCodec.Normalized(vector.Span);
        var lsh = _lsh.GetOrAdd(unit.Length,
            dims => new HyperplaneLsh(dims, _options.Bands, _options.RowsPerBand, _options.Seed));
        var start = Stopwatch.GetTimestamp();
        var args = NearArguments(itemId, unit, lsh, _time.GetUtcNow().ToUnixTimeMilliseconds(), Namespace(modelId));

        RedisResult result;
        try
        {
            result = await EvaluateAsync("near", DedupScripts.NearSha, DedupScripts.Near,
                [new RedisKey(Namespace(modelId) + ":z"), new RedisKey(Namespace(modelId) + ":seq")],
                args, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _metrics.Failed("near");
            DedupLog.CheckFailed(_logger, ex, itemId);
            throw;
        }

        var reply = (RedisResult[])result!;
        var kind = (string?)reply[0];
        var similarity = double.Parse((string)reply[2]!, CultureInfo.InvariantCulture);
        var examined = (int)reply[3];
        _metrics.Candidates(examined);
        _metrics.IndexSize(modelId, (long)reply[4]);
        DedupDecision decision;
        if (kind == "near")
        {
            decision = new DedupDecision(DedupOutcome.NearDuplicate, (string?)reply[1], similarity);
            DedupLog.NearDuplicate(_logger, itemId, decision.OriginalId, similarity, examined);
        }
        else
        {
            decision = new DedupDecision(DedupOutcome.Original, null, kind == "self" ? 0 : similarity);
        }

        _metrics.Checked("near", decision.Outcome, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return decision;
    }

    public void Dispose() => _metrics.Dispose();

    /// <summary>The hash-tagged namespace of one model's keys, e.g. <c>{mp:dedup:all-MiniLM-L6-v2}</c>.</summary>
    internal string Namespace(string modelId) =>
        "{" + _options.KeyPrefix + ":" + modelId.Replace('{', '(').Replace('}', ')') + "}";

    internal RedisValue[] NearArguments(string itemId, float[] unit, HyperplaneLsh lsh, long nowMs, string ns)
    {
        var n = lsh.Bands;
        var (bandKeys, fields) = BandKeys(unit, lsh, ns, FloorDiv(nowMs - _windowMs, _bucketMs), FloorDiv(nowMs, _bucketMs));
        var args = new RedisValue[13 + bandKeys.Length + n];
        args[0] = ns;
        args[1] = nowMs;
        args[2] = _windowMs;
        args[3] = BucketTtl(nowMs);
        args[4] = _options.Threshold.ToString("R", CultureInfo.InvariantCulture);
        args[5] = _options.MaxVectors;
        args[6] = _options.MaxCandidates;
        args[7] = itemId;
        args[8] = unit.Length;
        args[9] = VectorCodec.QueryBytes(unit);
        args[10] = VectorCodec.StoredBytes(unit);
        args[11] = n;
        args[12] = bandKeys.Length / n;
        bandKeys.CopyTo(args, 13);
        fields.CopyTo(args, 13 + bandKeys.Length);
        return args;
    }

    /// <summary>Inserts vectors without looking them up (bulk loading for the benchmark).</summary>
    internal async Task InsertBatchAsync(IReadOnlyList<(string ItemId, float[] Vector)> items, string modelId, CancellationToken cancellationToken)
    {
        var ns = Namespace(modelId);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var bucket = FloorDiv(now, _bucketMs);
        var args = new List<RedisValue> { ns, now, _windowMs, BucketTtl(now), _options.MaxVectors, _options.Bands, items.Count };
        foreach (var (itemId, vector) in items)
        {
            var unit = VectorCodec.Normalized(vector);
            var lsh = _lsh.GetOrAdd(unit.Length, dims => new HyperplaneLsh(dims, _options.Bands, _options.RowsPerBand, _options.Seed));
            var (bandKeys, fields) = BandKeys(unit, lsh, ns, bucket, bucket);
            args.Add(itemId);
            args.Add(VectorCodec.StoredBytes(unit));
            args.AddRange(bandKeys);
            args.AddRange(fields);
        }

        await EvaluateAsync("insert", DedupScripts.InsertBatchSha, DedupScripts.InsertBatch,
            [new RedisKey(ns + ":z"), new RedisKey(ns + ":seq")], [.. args], cancellationToken);
    }

    /// <summary>Band keys for buckets first..last (bucket by bucket) and the field of each band.</summary>
    private (RedisValue[] Keys, RedisValue[] Fields) BandKeys(float[] unit, HyperplaneLsh lsh, string ns, long firstBucket, long lastBucket)
    {
        var n = lsh.Bands;
        Span<uint> bands = stackalloc uint[n];
        lsh.BandValues(unit, bands);
        var lowMask = (1UL << _lowBits) - 1;
        var keys = new RedisValue[n * (int)(lastBucket - firstBucket + 1)];
        var fields = new RedisValue[n];
        var k = 0;
        for (var bucket = firstBucket; bucket <= lastBucket; bucket++)
        {
            for (var j = 0; j < n; j++)
            {
                keys[k++] = string.Create(CultureInfo.InvariantCulture, $"{ns}:b:{_layout}:{bucket}:{j}:{(ulong)bands[j] >> _lowBits}");
            }
        }

        for (var j = 0; j < n; j++)
        {
            fields[j] = (long)(bands[j] & lowMask);
        }

        return (keys, fields);
    }

    /// <summary>Band keys of the current bucket live until the bucket ends plus one window.</summary>
    private long BucketTtl(long nowMs) => ((FloorDiv(nowMs, _bucketMs) + 1) * _bucketMs) + _windowMs - nowMs;

    private static long FloorDiv(long a, long b) => (long)Math.Floor((double)a / b);

    internal async Task<RedisResult> EvaluateAsync(
        string name, byte[] sha, string script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        try
        {
            return await db.ScriptEvaluateAsync(sha, keys, args).WaitAsync(cancellationToken);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The script cache is empty after a restart or fail-over; EVAL runs and caches it again.
            DedupLog.ScriptReloaded(_logger, name);
            return await db.ScriptEvaluateAsync(script, keys, args).WaitAsync(cancellationToken);
        }
    }
}
