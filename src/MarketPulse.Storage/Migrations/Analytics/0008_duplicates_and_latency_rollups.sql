-- Rollups of the counts the Grafana panels used to take from base tables, kept by the worker in the results
-- transaction, per grain (60, 3600, 86400 s) and UTC-aligned bucket (date_bin from 2000-01-01 UTC):
--   duplicates_rollup: duplicates per detected_at bucket, source and kind;
--   latency_rollup: a histogram of analysis_results.latency_ms per analyzed_at bucket, in logarithmic bins
--   of 5 % (bin b holds latencies in (1.05^(b-1), 1.05^b] ms; bin 0 is <= 1 ms), with the count and the largest
--   latency of the bucket, so percentiles are read from bin counts (within 5 %) and the maximum is exact.
CREATE TABLE duplicates_rollup (
    grain_s    integer     NOT NULL,
    bucket     timestamptz NOT NULL,
    source     text        NOT NULL,
    kind       text        NOT NULL,
    duplicates bigint      NOT NULL,
    PRIMARY KEY (grain_s, bucket, source, kind)
);

CREATE TABLE latency_rollup (
    grain_s integer          NOT NULL,
    bucket  timestamptz      NOT NULL,
    bin     smallint         NOT NULL,
    items   bigint           NOT NULL,
    max_ms  double precision NOT NULL,
    PRIMARY KEY (grain_s, bucket, bin)
);

CREATE FUNCTION latency_bin(latency_ms double precision) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN latency_ms <= 1 THEN 0 ELSE least(ceil(ln(latency_ms) / ln(1.05)), 32000) END::smallint
$$;

-- The upper bound of a bin in ms: what a percentile read from the bins reports.
CREATE FUNCTION latency_bin_ms(bin smallint) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT power(1.05, bin)::double precision
$$;

-- Recompute both from the base tables (the migration's backfill; also after a bulk load that bypassed the worker).
CREATE FUNCTION refill_analytics_rollups() RETURNS void LANGUAGE sql AS $$
    DELETE FROM duplicates_rollup;
    INSERT INTO duplicates_rollup (grain_s, bucket, source, kind, duplicates)
    SELECT g.s, date_bin(make_interval(secs => g.s), d.detected_at, timestamptz '2000-01-01 00:00:00+00'), d.source, d.kind, count(*)
    FROM duplicates d CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
    GROUP BY 1, 2, 3, 4;
    DELETE FROM latency_rollup;
    INSERT INTO latency_rollup (grain_s, bucket, bin, items, max_ms)
    SELECT g.s, date_bin(make_interval(secs => g.s), a.analyzed_at, timestamptz '2000-01-01 00:00:00+00'), latency_bin(a.latency_ms), count(*), max(a.latency_ms)
    FROM analysis_results a CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
    GROUP BY 1, 2, 3;
$$;

SELECT refill_analytics_rollups();
