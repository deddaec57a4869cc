-- Results-outbox rows that can never be published (Kafka refuses the message itself: too large, invalid) or that
-- failed again and again while the rows around them went through, as on the raw side (raw migration 0003). Set
-- aside so they stop holding up the publisher; an operator reads last_error, fixes the cause and moves the row back.
CREATE TABLE outbox_dead_letters (
    id          bigint PRIMARY KEY,
    topic       text NOT NULL,
    key         text NOT NULL,
    type        text NOT NULL,
    version     integer NOT NULL,
    payload     bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    attempts    integer NOT NULL,
    last_error  text NOT NULL,
    dead_at     timestamptz NOT NULL DEFAULT now()
);
