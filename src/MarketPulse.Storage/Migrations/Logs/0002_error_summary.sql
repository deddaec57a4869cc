-- Errors (ERROR and FATAL entries) counted per hour, component, category, event id, exception type and
-- message fingerprint, kept by the logs sink in the transaction that writes the entries themselves.
-- Rows older than the logs' retention are deleted with the log partitions.
CREATE TABLE error_summary (
    window_start     timestamptz NOT NULL,
    component        text NOT NULL,
    category         text NOT NULL,
    event_id         integer NOT NULL,
    exception_type   text NOT NULL DEFAULT '',
    fingerprint      text NOT NULL,
    level            text NOT NULL,
    logger           text NOT NULL,
    count            bigint NOT NULL,
    first_seen       timestamptz NOT NULL,
    last_seen        timestamptz NOT NULL,
    sample_message   text NOT NULL,
    sample_exception text,
    PRIMARY KEY (window_start, component, category, event_id, exception_type, fingerprint)
);

CREATE INDEX error_summary_last_seen_idx ON error_summary (last_seen);
