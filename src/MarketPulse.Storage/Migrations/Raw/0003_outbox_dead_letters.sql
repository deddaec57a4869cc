-- Outbox rows that can never be published (Kafka refuses the message itself: too large, invalid) or that failed
-- again and again while the rows around them went through. Set aside so they stop holding up the publisher;
-- an operator reads last_error, fixes the cause and moves a row back into the outbox to retry it.
CREATE TABLE outbox_dead_letters (
    id          bigint PRIMARY KEY,
    item_id     uuid NOT NULL REFERENCES raw_items (id),
    topic       text NOT NULL,
    reanalyze   boolean NOT NULL,
    created_at  timestamptz NOT NULL,
    attempts    integer NOT NULL,
    last_error  text NOT NULL,
    dead_at     timestamptz NOT NULL DEFAULT now()
);
