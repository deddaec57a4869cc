-- Delivery of alerts to the configured notifiers (Alerts:Notifiers): one row per (alert, notifier), written in the
-- transaction that stores the alert, claimed by the notification dispatchers with a lease (next_attempt_at) and
-- deleted once the receiver accepted it. A row that failed Alerts:MaxDeliveries times moves to
-- notification_dead_letters with its last error.
CREATE TABLE notifications (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id         bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    notifier         text NOT NULL,
    payload          bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    CONSTRAINT notifications_alert_notifier_key UNIQUE (alert_id, notifier)
);

CREATE INDEX notifications_next_attempt_at_idx ON notifications (next_attempt_at);

CREATE TABLE notification_dead_letters (
    id          bigint PRIMARY KEY,
    alert_id    bigint NOT NULL,
    notifier    text NOT NULL,
    payload     bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    attempts    integer NOT NULL,
    last_error  text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);

-- State of the system rules (analysis latency p95, ...): whether a rule fires for a key, since when, and when its
-- last alert went out, so a condition that stays or flaps sends one alert and one "resolved".
CREATE TABLE alert_states (
    rule         text NOT NULL,
    key          text NOT NULL,
    firing       boolean NOT NULL,
    since        timestamptz NOT NULL,
    last_sent    timestamptz,
    clear_since  timestamptz,
    value        double precision,
    PRIMARY KEY (rule, key)
);
