-- WARN, ERROR and FATAL entries with an event id, counted per grain (60, 3600, 86400 s), UTC-aligned bucket
-- and event id, with the last one's time, by the logs sink in the transaction that writes the entries. The
-- dependency panels read it (a dependency is a set of event ids) instead of scanning logs. Deleted with the
-- logs' retention.
CREATE TABLE log_events_rollup (
    grain_s  integer     NOT NULL,
    bucket   timestamptz NOT NULL,
    event_id integer     NOT NULL,
    entries  bigint      NOT NULL,
    last_ts  timestamptz NOT NULL,
    PRIMARY KEY (grain_s, bucket, event_id)
);

CREATE FUNCTION refill_log_events_rollup() RETURNS void LANGUAGE sql AS $$
    DELETE FROM log_events_rollup;
    INSERT INTO log_events_rollup (grain_s, bucket, event_id, entries, last_ts)
    SELECT g.s, date_bin(make_interval(secs => g.s), l.ts, timestamptz '2000-01-01 00:00:00+00'), l.event_id, count(*), max(l.ts)
    FROM logs l CROSS JOIN (VALUES (60), (3600), (86400)) AS g(s)
    WHERE l.level IN ('WARN', 'ERROR', 'FATAL') AND l.event_id <> 0
    GROUP BY 1, 2, 3;
$$;

SELECT refill_log_events_rollup();
