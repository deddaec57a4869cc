-- Rollups gain the source dimension: (bucket, symbol, asset_class, source) at minute, hour and day grain,
-- all three kept by the analysis worker in the results transaction, so series over 30 days read at most
-- 30 rows a key instead of 43,200. symbol '*' still holds the totals of an asset class (now per source).
-- Buckets are UTC: date_trunc's time-zone argument keeps them independent of the session's TimeZone.
ALTER TABLE sentiment_minute ADD COLUMN source text NOT NULL DEFAULT 'unknown';
ALTER TABLE sentiment_minute DROP CONSTRAINT sentiment_minute_pkey;

-- The minute rows written before this migration have no source: rebuild them from the results.
TRUNCATE sentiment_minute;
INSERT INTO sentiment_minute (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
SELECT date_trunc('minute', r.received_at, 'UTC'), s.symbol, r.asset_class, r.source, count(*), sum(r.score),
       count(*) FILTER (WHERE r.label = 'bullish'), count(*) FILTER (WHERE r.label = 'bearish'), count(*) FILTER (WHERE r.label = 'neutral')
FROM analysis_results r
CROSS JOIN LATERAL (SELECT DISTINCT u AS symbol FROM unnest(r.symbols || '*'::text) u) s
GROUP BY 1, 2, 3, 4;

ALTER TABLE sentiment_minute ADD PRIMARY KEY (bucket, symbol, asset_class, source);

CREATE TABLE sentiment_hour (LIKE sentiment_minute INCLUDING DEFAULTS, PRIMARY KEY (bucket, symbol, asset_class, source));
CREATE INDEX sentiment_hour_symbol_idx ON sentiment_hour (symbol, bucket);
INSERT INTO sentiment_hour (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
SELECT date_trunc('hour', bucket, 'UTC'), symbol, asset_class, source, sum(items), sum(score_sum), sum(bullish), sum(bearish), sum(neutral)
FROM sentiment_minute GROUP BY 1, 2, 3, 4;

CREATE TABLE sentiment_day (LIKE sentiment_minute INCLUDING DEFAULTS, PRIMARY KEY (bucket, symbol, asset_class, source));
CREATE INDEX sentiment_day_symbol_idx ON sentiment_day (symbol, bucket);
INSERT INTO sentiment_day (bucket, symbol, asset_class, source, items, score_sum, bullish, bearish, neutral)
SELECT date_trunc('day', bucket, 'UTC'), symbol, asset_class, source, sum(items), sum(score_sum), sum(bullish), sum(bearish), sum(neutral)
FROM sentiment_hour GROUP BY 1, 2, 3, 4;

-- The pipeline-health panel counts recent duplicates and failures.
CREATE INDEX duplicates_detected_at_idx ON duplicates (detected_at);
CREATE INDEX analysis_failures_failed_at_idx ON analysis_failures (failed_at);
