using System.Text.Json;
using MarketPulse.Alerting;
using MarketPulse.Analysis;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Storage;
using Npgsql;
using NpgsqlTypes;

namespace MarketPulse.Worker;

/// <summary>
/// Writes the worker's outcomes to the analytics database in one transaction per batch. Writes are
/// idempotent (<c>(item_id, version)</c> and <c>item_id</c> keys): a redelivered message adds nothing, and
/// rollups and alerts are derived only from rows this call actually inserted, so they stay exact.
/// </summary>
public sealed class AnalyticsStore(Databases databases, TimeProvider time, NotificationQueue notifications)
{
    // The results and, in the same statement, their latencies' histogram (latency_rollup) for the panels.
    private const string InsertResultsSql = """
        WITH inserted AS (
        INSERT INTO analysis_results (item_id, version, source, external_id, label, score, confidence, asset_class, entities, symbols,
                                      analyzer, model, prompt_version, published_at, received_at, analyzed_at, latency_ms)
        SELECT item_id, version, source, external_id, label, score, confidence, asset_class, entities,
               ARRAY(SELECT jsonb_array_elements_text(symbols)), analyzer, model, prompt_version, published_at, received_at, analyzed_at, latency_ms
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::real[], $7::real[], $8::text[], $9::jsonb[], $10::jsonb[],
                    $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::float8[])
            AS t(item_id, version, source, external_id, label, score, confidence, asset_class, entities, symbols,
                 analyzer, model, prompt_version, published_at, received_at, analyzed_at, latency_ms)
        ON CONFLICT (item_id, version) DO NOTHING
        RETURNING item_id, analyzed_at, latency_ms
        ), latency AS (
            INSERT INTO latency_rollup (grain_s, bucket, bin, items, max_ms)
            SELECT g.s, date_bin(make_interval(secs => g.s), i.analyzed_at, timestamptz '2000-01-01 00:00:00+00'), latency_bin(i.latency_ms), count(*), max(i.latency_ms)
            FROM inserted i CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (grain_s, bucket, bin) DO UPDATE SET items = latency_rollup.items + excluded.items, max_ms = greatest(latency_rollup.max_ms, excluded.max_ms)
        )
        SELECT item_id FROM inserted
        """;

    // The duplicates and, in the same statement, their counts (duplicates_rollup) for the panels.
    private const string InsertDuplicatesSql = """
        WITH inserted AS (
            INSERT INTO duplicates (item_id, original_id, kind, similarity, source, external_id, received_at)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::real[], $5::text[], $6::text[], $7::timestamptz[])
            ON CONFLICT (item_id) DO NOTHING
            RETURNING source, kind, detected_at)
        INSERT INTO duplicates_rollup (grain_s, bucket, source, kind, duplicates)
        SELECT g.s, date_bin(make_interval(secs => g.s), i.detected_at, timestamptz '2000-01-01 00:00:00+00'), i.source, i.kind, count(*)
        FROM inserted i CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (grain_s, bucket, source, kind) DO UPDATE SET duplicates = duplicates_rollup.duplicates + excluded.duplicates
        """;

    private const string InsertFailuresSql = """
        INSERT INTO analysis_failures (item_id, source, external_id, attempts, error)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[])
        ON CONFLICT (item_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error, failed_at = now()
        """;

    // Minute, hour and day rollups in one statement (one round trip); rows go in key order so that
    // concurrent workers lock shared rows (the '*' totals) in the same order and cannot deadlock.
    private static readonly string UpsertRollupSql = $"""
        WITH input AS (
            SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::int[], $6::float8[], $7::int[], $8::int[], $9::int[])
                AS t(bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)),
        minute AS ({UpsertRollup("sentiment_minute", "bucket")}),
        hour AS ({UpsertRollup("sentiment_hour", "date_trunc('hour', bucket, 'UTC')")})
        {UpsertRollup("sentiment_day", "date_trunc('day', bucket, 'UTC')")}
        """;

    private const string SwingSql = """
        SELECT symbol,
               coalesce(sum(items) FILTER (WHERE bucket >= $2), 0)::int,
               coalesce(sum(score_sum) FILTER (WHERE bucket >= $2), 0),
               coalesce(sum(items) FILTER (WHERE bucket < $2), 0)::int,
               coalesce(sum(score_sum) FILTER (WHERE bucket < $2), 0),
               EXISTS (SELECT 1 FROM alerts a WHERE a.rule = 'sentiment_swing' AND a.symbol = m.symbol AND a.created_at >= $2)
        FROM sentiment_minute m
        WHERE symbol = ANY($1) AND bucket >= $3
        GROUP BY symbol
        """;

    private const string InsertAlertsSql = """
        INSERT INTO alerts (rule, symbol, item_id, severity, message, created_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
        ON CONFLICT (rule, item_id, symbol) DO NOTHING
        RETURNING rule, symbol, item_id, severity, message, created_at
        """;

    private const string SelectAnalysesSql = """
        SELECT version, label, score, confidence, asset_class, entities::text, symbols, analyzer, model, prompt_version, analyzed_at, latency_ms
        FROM analysis_results WHERE item_id = $1 ORDER BY analyzed_at
        """;

    /// <summary>Items that already have a result (any version) or are recorded as duplicates.</summary>
    public async Task<HashSet<Guid>> AlreadyProcessedAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var done = new HashSet<Guid>();
        if (ids.Count == 0)
        {
            return done;
        }

        await using var command = databases.Analytics.CreateCommand(
            "SELECT item_id FROM analysis_results WHERE item_id = ANY($1) UNION SELECT item_id FROM duplicates WHERE item_id = ANY($1)");
        command.Parameters.AddWithValue(ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            done.Add(reader.GetGuid(0));
        }

        return done;
    }

    /// <summary>Every analysis of the item (oldest first), its duplicate link and its failure record, as stored.</summary>
    public async Task<ItemOutcome> GetOutcomeAsync(Guid itemId, CancellationToken cancellationToken)
    {
        await using var connection = await databases.Analytics.OpenConnectionAsync(cancellationToken);
        var analyses = new List<StoredAnalysis>();
        await using (var command = new NpgsqlCommand(SelectAnalysesSql, connection))
        {
            command.Parameters.AddWithValue(itemId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                analyses.Add(new StoredAnalysis(
                    reader.GetString(0), reader.GetString(1), reader.GetFloat(2), reader.GetFloat(3), reader.GetString(4),
                    JsonSerializer.Deserialize<List<ResultEntity>>(reader.GetString(5), MessageJson.Options) ?? [],
                    reader.GetFieldValue<string[]>(6), reader.GetString(7), reader.GetString(8), reader.GetString(9),
                    reader.GetFieldValue<DateTimeOffset>(10), reader.GetDouble(11)));
            }
        }

        DuplicateLink? duplicate = null;
        await using (var command = new NpgsqlCommand("SELECT original_id, kind, similarity, detected_at FROM duplicates WHERE item_id = $1", connection))
        {
            command.Parameters.AddWithValue(itemId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                duplicate = new DuplicateLink(reader.GetGuid(0), reader.GetString(1), reader.GetFloat(2), reader.GetFieldValue<DateTimeOffset>(3));
            }
        }

        StoredFailure? failure = null;
        await using (var command = new NpgsqlCommand("SELECT attempts, error, failed_at FROM analysis_failures WHERE item_id = $1", connection))
        {
            command.Parameters.AddWithValue(itemId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                failure = new StoredFailure(reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
            }
        }

        return new ItemOutcome(analyses, duplicate, failure);
    }

    /// <summary>
    /// Stores a batch's outcomes and, in the same transaction, their messages for aggregation_topic and alert_topic
    /// (<see cref="ResultsOutbox"/>); returns the analyses newly stored and the alerts newly raised.
    /// </summary>
    public async Task<(IReadOnlyList<ItemAnalysis> Inserted, IReadOnlyList<AlertMessage> Alerts)> SaveAsync(
        IReadOnlyList<ItemAnalysis> analyses,
        IReadOnlyList<ItemDuplicate> duplicates,
        IReadOnlyList<ItemFailure> failures,
        AlertOptions alertOptions,
        CancellationToken cancellationToken)
    {
        await using var connection = await databases.Analytics.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var inserted = await InsertResultsAsync(connection, transaction, analyses, cancellationToken);
        await InsertDuplicatesAsync(connection, transaction, duplicates, cancellationToken);
        await InsertFailuresAsync(connection, transaction, failures, cancellationToken);
        await UpsertRollupsAsync(connection, transaction, inserted, cancellationToken);
        var alerts = await RaiseAlertsAsync(connection, transaction, inserted, alertOptions, cancellationToken);
        await ResultsOutbox.WriteAsync(connection, transaction, analyses, duplicates, alerts, cancellationToken);
        await notifications.EnqueueAsync(connection, transaction, alerts, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return (inserted, alerts);
    }

    /// <summary>Records items given up on (<c>analysis_failures</c>), outside a batch's transaction: the poison items the worker isolated.</summary>
    public async Task SaveFailuresAsync(IReadOnlyList<ItemFailure> failures, CancellationToken cancellationToken)
    {
        await using var connection = await databases.Analytics.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await InsertFailuresAsync(connection, transaction, failures, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<ItemAnalysis>> InsertResultsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ItemAnalysis> analyses, CancellationToken cancellationToken)
    {
        if (analyses.Count == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand(InsertResultsSql, connection, transaction);
        command.Parameters.AddWithValue(analyses.Select(a => a.Item.Id).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => a.Result.Version).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => a.Item.Source).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => a.Item.ExternalId).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => LabelName(a.Result.Label)).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => (float)Math.Clamp(a.Result.Score, -1, 1)).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => (float)Math.Clamp(a.Result.Confidence, 0, 1)).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => AssetClassName(a.Result.AssetClass)).ToArray());
        command.Parameters.Add(new NpgsqlParameter { Value = analyses.Select(a => JsonSerializer.Serialize(ResultMessages.EntitiesOf(a.Result), MessageJson.Options)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = analyses.Select(a => JsonSerializer.Serialize(a.Symbols)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.AddWithValue(analyses.Select(a => a.Result.Analyzer).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => a.Result.Model).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => a.Result.PromptVersion).ToArray());
        command.Parameters.Add(new NpgsqlParameter { Value = analyses.Select(a => a.Item.PublishedAt is { } p ? (object)p.ToUniversalTime() : DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.AddWithValue(analyses.Select(a => a.Item.ReceivedAt.ToUniversalTime()).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => a.AnalyzedAt.ToUniversalTime()).ToArray());
        command.Parameters.AddWithValue(analyses.Select(a => a.LatencyMs).ToArray());

        var ids = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        return analyses.Where(a => ids.Remove(a.Item.Id)).ToList();
    }

    private static async Task InsertDuplicatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ItemDuplicate> duplicates, CancellationToken cancellationToken)
    {
        if (duplicates.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(InsertDuplicatesSql, connection, transaction);
        command.Parameters.AddWithValue(duplicates.Select(d => d.Item.Id).ToArray());
        command.Parameters.AddWithValue(duplicates.Select(d => d.OriginalId).ToArray());
        command.Parameters.AddWithValue(duplicates.Select(d => d.Kind).ToArray());
        command.Parameters.AddWithValue(duplicates.Select(d => (float)d.Similarity).ToArray());
        command.Parameters.AddWithValue(duplicates.Select(d => d.Item.Source).ToArray());
        command.Parameters.AddWithValue(duplicates.Select(d => d.Item.ExternalId).ToArray());
        command.Parameters.AddWithValue(duplicates.Select(d => d.Item.ReceivedAt.ToUniversalTime()).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertFailuresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ItemFailure> failures, CancellationToken cancellationToken)
    {
        var known = failures.Where(f => f.Item is not null).ToList();
        if (known.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(InsertFailuresSql, connection, transaction);
        command.Parameters.AddWithValue(known.Select(f => f.Item!.Id).ToArray());
        command.Parameters.AddWithValue(known.Select(f => f.Item!.Source).ToArray());
        command.Parameters.AddWithValue(known.Select(f => f.Item!.ExternalId).ToArray());
        command.Parameters.AddWithValue(known.Select(f => f.Attempts).ToArray());
        command.Parameters.AddWithValue(known.Select(f => f.Error).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A symbol's sentiment in one item: its entity's own label and score when the analyser gave one, else the item's ("*" is the item's).</summary>
    private static (SentimentLabel Label, double Score) SentimentFor(AnalysisResult result, string symbol) =>
        result.Entities.FirstOrDefault(e => e.Sentiment is not null && e.Score is not null && string.Equals(e.Symbol, symbol, StringComparison.OrdinalIgnoreCase)) is { } entity
            ? (entity.Sentiment!.Value, entity.Score!.Value)
            : (result.Label, result.Score);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "UpsertRollupSql is built once from constant texts; values are parameters.")]
    private static async Task UpsertRollupsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ItemAnalysis> inserted, CancellationToken cancellationToken)
    {
        if (inserted.Count == 0)
        {
            return;
        }

        var rows = inserted
            .SelectMany(a => a.Symbols.Append("*").Distinct(StringComparer.Ordinal).Select(symbol => (
                Bucket: Minute(a.Item.ReceivedAt),
                Symbol: symbol,
                AssetClass: AssetClassName(a.Result.AssetClass),
                a.Item.Source,
                Result: SentimentFor(a.Result, symbol))))
            .GroupBy(r => (r.Bucket, r.Symbol, r.AssetClass, r.Source))
            .Select(g => (g.Key, Items: g.Count(), ScoreSum: g.Sum(r => r.Result.Score),
                Bullish: g.Count(r => r.Result.Label == SentimentLabel.Bullish),
                Bearish: g.Count(r => r.Result.Label == SentimentLabel.Bearish),
                Neutral: g.Count(r => r.Result.Label == SentimentLabel.Neutral)))
            .ToList();

        await using var command = new NpgsqlCommand(UpsertRollupSql, connection, transaction);
        command.Parameters.AddWithValue(rows.Select(r => r.Key.Bucket).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Key.Symbol).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Key.AssetClass).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Key.Source).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Items).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.ScoreSum).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Bullish).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Bearish).ToArray());
        command.Parameters.AddWithValue(rows.Select(r => r.Neutral).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string UpsertRollup(string table, string bucket) => $"""
        INSERT INTO {table} (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
        SELECT {bucket}, symbol, asset_class, source, sum(items), sum(score_sum), sum(bullish), sum(bearish), sum(neutral)
        FROM input GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (bucket, symbol, asset_class, source) DO UPDATE SET
            items = {table}.items + excluded.items,
            score_sum = {table}.score_sum + excluded.score_sum,
            bullish = {table}.bullish + excluded.bullish,
            bearish = {table}.bearish + excluded.bearish,
            neutral = {table}.neutral + excluded.neutral
        """;

    private async Task<IReadOnlyList<AlertMessage>> RaiseAlertsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ItemAnalysis> inserted, AlertOptions options, CancellationToken cancellationToken)
    {
        if (inserted.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var watched = options.WatchedSymbols.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var candidates = new List<AlertMessage>();
        foreach (var a in inserted)
        {
            if (a.Result.Label == SentimentLabel.Bearish && a.Result.Score <= options.StrongNegativeScore && a.Result.Confidence >= options.MinConfidence)
            {
                foreach (var symbol in a.Symbols.Where(s => watched.Count == 0 || watched.Contains(s)))
                {
                    candidates.Add(new AlertMessage("strong_negative", symbol, a.Item.Id, "high",
                        $"Strongly bearish {a.Item.Source} item about {symbol} (score {a.Result.Score:0.00}, confidence {a.Result.Confidence:0.00}): {Shorten(a.Item.Title ?? a.Item.Text)}", now));
                }
            }
        }

        var symbols = inserted.SelectMany(a => a.Symbols).Distinct(StringComparer.Ordinal).ToArray();
        if (symbols.Length > 0)
        {
            await using var swing = new NpgsqlCommand(SwingSql, connection, transaction);
            swing.Parameters.AddWithValue(symbols);
            swing.Parameters.AddWithValue(now - options.SwingWindow);
            swing.Parameters.AddWithValue(now - (options.SwingWindow * 2));
            var swings = new List<(string Symbol, double Recent, double Previous)>();
            await using (var reader = await swing.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var (nRecent, sRecent, nPrev, sPrev, alerted) = (reader.GetInt32(1), reader.GetDouble(2), reader.GetInt32(3), reader.GetDouble(4), reader.GetBoolean(5));
                    if (!alerted && nRecent >= options.SwingMinItems && nPrev >= options.SwingMinItems
                        && Math.Abs((sRecent / nRecent) - (sPrev / nPrev)) >= options.SwingThreshold)
                    {
                        swings.Add((reader.GetString(0), sRecent / nRecent, sPrev / nPrev));
                    }
                }
            }

            foreach (var (symbol, recent, previous) in swings)
            {
                var trigger = inserted.Last(a => a.Symbols.Contains(symbol, StringComparer.Ordinal));
                candidates.Add(new AlertMessage("sentiment_swing", symbol, trigger.Item.Id, "medium",
                    $"Sentiment on {symbol} moved from {previous:0.00} to {recent:0.00} within {options.SwingWindow.TotalMinutes:0} minutes", now));
            }
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        await using var insert = new NpgsqlCommand(InsertAlertsSql, connection, transaction);
        insert.Parameters.AddWithValue(candidates.Select(c => c.Rule).ToArray());
        insert.Parameters.AddWithValue(candidates.Select(c => c.Symbol ?? "").ToArray());
        insert.Parameters.AddWithValue(candidates.Select(c => c.ItemId).ToArray());
        insert.Parameters.AddWithValue(candidates.Select(c => c.Severity).ToArray());
        insert.Parameters.AddWithValue(candidates.Select(c => c.Message).ToArray());
        insert.Parameters.AddWithValue(candidates.Select(c => c.CreatedAt).ToArray());
        var raised = new List<AlertMessage>();
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                raised.Add(new AlertMessage(reader.GetString(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        return raised;
    }

    public static string LabelName(SentimentLabel label) => MessageJson.Name(label);

    public static string AssetClassName(AssetClass assetClass) => MessageJson.Name(assetClass);

    private static DateTimeOffset Minute(DateTimeOffset t)
    {
        var utc = t.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero);
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 140 ? text : text[..140] + "…";
}
