namespace MarketPulse.Storage.Rollups;

/// <summary>
/// The read queries behind the dashboard APIs (and the Grafana panels): series and movers read only the
/// rollups (<c>sentiment_minute|hour|day</c>); lists read their own tables through their time indexes.
/// Every query is parameterised; optional filters are <c>NULL</c> parameters, which PostgreSQL folds away
/// when it plans the unnamed statement with the values bound.
/// </summary>
public static class SentimentQueries
{
    private const string ItemColumns = """
        SELECT r.item_id, r.version, r.source, r.label, r.score, r.confidence, r.asset_class, r.entities::text, r.symbols,
               r.received_at, r.analyzed_at, r.latency_ms,
               (SELECT count(*) FROM duplicates d WHERE d.original_id = r.item_id)::int AS copies
        FROM analysis_results r
        """;

    private const string AlertColumns = "SELECT id, rule, nullif(symbol, ''), item_id, severity, message, created_at FROM alerts";

    /// <summary>The number of <paramref name="grain"/> buckets in a range, to bound a series before asking for it.</summary>
    public static TimeSpan Width(RollupGrain grain) => grain switch
    {
        RollupGrain.Minute => TimeSpan.FromMinutes(1),
        RollupGrain.FiveMinutes => TimeSpan.FromMinutes(5),
        RollupGrain.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    public static string Table(RollupGrain grain) => grain switch
    {
        RollupGrain.Minute or RollupGrain.FiveMinutes => "sentiment_minute",
        RollupGrain.Hour => "sentiment_hour",
        _ => "sentiment_day",
    };

    /// <summary>The finest rollup whose buckets a range of this length needs at most a few hundred of.</summary>
    public static RollupGrain GrainFor(TimeSpan range) =>
        range <= TimeSpan.FromHours(6) ? RollupGrain.Minute : range <= TimeSpan.FromDays(14) ? RollupGrain.Hour : RollupGrain.Day;

    /// <summary>
    /// Columns: bucket, items, avg_score, bullish, bearish, neutral. Parameters: $1 symbol ('*' for the
    /// whole market), $2 from, $3 to (exclusive), $4 asset class or NULL, $5 source or NULL.
    /// </summary>
    public static string Series(RollupGrain grain)
    {
        var bucket = grain == RollupGrain.FiveMinutes ? "date_bin('5 minutes', bucket, timestamptz '2000-01-01 00:00:00+00')" : "bucket";
        return $"""
            SELECT {bucket} AS bucket, sum(items)::int AS items, sum(score_sum) / sum(items) AS avg_score,
                   sum(bullish)::int AS bullish, sum(bearish)::int AS bearish, sum(neutral)::int AS neutral
            FROM {Table(grain)}
            WHERE symbol = $1 AND bucket >= $2 AND bucket < $3
              AND ($4::text IS NULL OR asset_class = $4) AND ($5::text IS NULL OR source = $5)
            GROUP BY 1 HAVING sum(items) > 0
            ORDER BY 1
            """;
    }

    /// <summary>
    /// Columns: symbol, items, avg_score, swing (average of the range's second half minus its first half; NULL
    /// when either half is empty). Parameters: $1 from, $2 to (exclusive), $3 middle, $4 limit, $5 minimum items.
    /// </summary>
    public static string Movers(RollupGrain grain, bool bySwing) => $"""
        SELECT symbol, sum(items)::int AS items, sum(score_sum) / sum(items) AS avg_score,
               sum(score_sum) FILTER (WHERE bucket >= $3) / nullif(sum(items) FILTER (WHERE bucket >= $3), 0)
             - sum(score_sum) FILTER (WHERE bucket < $3) / nullif(sum(items) FILTER (WHERE bucket < $3), 0) AS swing
        FROM {Table(grain)}
        WHERE symbol <> '*' AND bucket >= $1 AND bucket < $2
        GROUP BY symbol
        HAVING sum(items) >= $5
        ORDER BY {(bySwing ? "abs(sum(score_sum) FILTER (WHERE bucket >= $3) / nullif(sum(items) FILTER (WHERE bucket >= $3), 0) - sum(score_sum) FILTER (WHERE bucket < $3) / nullif(sum(items) FILTER (WHERE bucket < $3), 0)) DESC NULLS LAST" : "abs(sum(score_sum) / sum(items)) DESC")}, symbol
        LIMIT $4
        """;

    /// <summary>
    /// Newest analyses first, keyset-paginated on (analyzed_at, item_id, version). Columns: item_id, version,
    /// source, label, score, confidence, asset_class, entities (json text), symbols, received_at, analyzed_at,
    /// latency_ms, copies (duplicates folded under the item). Parameters: $1 symbol, $2 source, $3 label (each
    /// or NULL), $4 from, $5 to (exclusive), $6 cursor analyzed_at, $7 cursor item_id, $8 cursor version (NULLs
    /// for the first page), $9 limit.
    /// </summary>
    public const string Items = $"""
        {ItemColumns}
        WHERE ($1::text IS NULL OR r.symbols @> ARRAY[$1::text]) AND ($2::text IS NULL OR r.source = $2) AND ($3::text IS NULL OR r.label = $3)
          AND r.analyzed_at >= $4 AND r.analyzed_at < $5
          AND ($6::timestamptz IS NULL OR (r.analyzed_at, r.item_id, r.version) < ($6, $7::uuid, $8::text))
        ORDER BY r.analyzed_at DESC, r.item_id DESC, r.version DESC
        LIMIT $9
        """;

    /// <summary>Headline, text and link of items, from the raw database. Parameter: $1 the item ids.</summary>
    public const string Headlines = "SELECT id, title, text, url FROM raw_items WHERE id = ANY($1)";

    /// <summary>
    /// Newest alerts first. Columns: id, rule, symbol, item_id, severity, message, created_at. Parameters: $1
    /// from, $2 to (exclusive), $3 symbol or NULL, $4 limit.
    /// </summary>
    public const string Alerts = $"""
        {AlertColumns}
        WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR symbol = $3)
        ORDER BY created_at DESC, id DESC
        LIMIT $4
        """;

    /// <summary>
    /// The pipeline over a recent window. Columns: analysed, latency_p95_ms, duplicates, failures. Parameter: $1 since.
    /// </summary>
    public const string PipelineWindow = """
        SELECT (SELECT count(*) FROM analysis_results WHERE analyzed_at >= $1)::int,
               (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FROM analysis_results WHERE analyzed_at >= $1),
               (SELECT count(*) FROM duplicates WHERE detected_at >= $1)::int,
               (SELECT count(*) FROM analysis_failures WHERE failed_at >= $1)::int
        """;

    /// <summary>Items received and the outbox backlog, from the raw database. Columns: received, backlog. Parameter: $1 since.</summary>
    public const string IngestWindow = """
        SELECT (SELECT count(*) FROM raw_items WHERE received_at >= $1)::int, (SELECT count(*) FROM outbox)::int
        """;

    /// <summary>
    /// What the live feed has not sent yet: the newest analyses, alerts and duplicates since $1 (an overlap
    /// window, since rows commit out of their timestamps' order). Columns as <see cref="Items"/>. Parameter: $1 since, $2 limit.
    /// </summary>
    public const string RecentAnalyses = $"""
        {ItemColumns}
        WHERE r.analyzed_at >= $1
        ORDER BY r.analyzed_at DESC, r.item_id DESC, r.version DESC
        LIMIT $2
        """;

    /// <summary>Columns as <see cref="Alerts"/>. Parameters: $1 since, $2 limit.</summary>
    public const string RecentAlerts = $"""
        {AlertColumns} WHERE created_at >= $1 ORDER BY created_at DESC, id DESC LIMIT $2
        """;

    /// <summary>Columns: item_id, original_id, kind, detected_at. Parameters: $1 since, $2 limit.</summary>
    public const string RecentDuplicates = """
        SELECT item_id, original_id, kind, detected_at FROM duplicates WHERE detected_at >= $1 ORDER BY detected_at DESC LIMIT $2
        """;
}
