-- Transactional outbox of the analytics side: the messages of a batch's results (aggregation_topic) and alerts
-- (alert_topic), written in the transaction that stores them and deleted once the broker has acknowledged them.
-- topic is the lane ('aggregation' or 'alert'), mapped to the configured topic name when published.
CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic       text NOT NULL CHECK (topic IN ('aggregation', 'alert')),
    key         text NOT NULL,
    type        text NOT NULL,
    version     integer NOT NULL,
    payload     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text
);
