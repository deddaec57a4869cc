-- Structured logs of every component, one partition a day (old days are dropped whole).
CREATE TABLE logs (
    ts          timestamptz NOT NULL,
    level       text NOT NULL,
    component   text NOT NULL,
    host        text NOT NULL,
    category    text NOT NULL,
    event_id    integer NOT NULL DEFAULT 0,
    event_name  text,
    message     text NOT NULL,
    exception   text,
    properties  jsonb
) PARTITION BY RANGE (ts);

CREATE INDEX logs_ts_idx ON logs (ts);
CREATE INDEX logs_level_idx ON logs (level, ts);

CREATE FUNCTION ensure_log_partition(day date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF logs FOR VALUES FROM (%L) TO (%L)',
                   'logs_' || to_char(day, 'YYYYMMDD'), day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
END
$$;

-- Drops partitions of days before keep_from; returns how many were dropped.
CREATE FUNCTION drop_log_partitions_before(keep_from date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part record;
    dropped integer := 0;
BEGIN
    FOR part IN
        SELECT c.relname FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'logs' AND c.relname ~ '^logs_[0-9]{8}$'
          AND to_date(substring(c.relname from 6), 'YYYYMMDD') < keep_from
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;
