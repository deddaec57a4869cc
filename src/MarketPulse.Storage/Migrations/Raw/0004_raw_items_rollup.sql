-- Items stored by ingestion, counted per grain (60, 3600, 86400 s), bucket, source and writer loop, by the raw
-- writer in the transaction that stores the items (only rows actually inserted, not redeliveries). Each writer
-- loop has rows of its own (writer), so the concurrent loops never wait on each other's row locks; readers sum
-- over writers. Buckets are UTC-aligned (date_bin from 2000-01-01 UTC). The Grafana panels read this table, not
-- raw_items.
CREATE TABLE raw_items_rollup (
    grain_s integer     NOT NULL,
    bucket  timestamptz NOT NULL,
    source  text        NOT NULL,
    writer  smallint    NOT NULL,
    items   bigint      NOT NULL,
    PRIMARY KEY (grain_s, bucket, source, writer)
);

-- Recomputes the rollup from raw_items (the migration's backfill; also after a bulk load that bypassed the writer).
CREATE FUNCTION refill_raw_items_rollup() RETURNS void LANGUAGE sql AS $$
    DELETE FROM raw_items_rollup;
    INSERT INTO raw_items_rollup (grain_s, bucket, source, writer, items)
    SELECT g.s, date_bin(make_interval(secs => g.s), r.received_at, timestamptz '2000-01-01 00:00:00+00'), r.source, 0, count(*)
    FROM raw_items r CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
    GROUP BY 1, 2, 3;
$$;

SELECT refill_raw_items_rollup();
