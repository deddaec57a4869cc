-- Every ingested item, as normalised, with the provider's payload kept as sent.
CREATE TABLE raw_items (
    id            uuid PRIMARY KEY,
    source        text NOT NULL,
    external_id   text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('text', 'market_data', 'economic_event')),
    text          text,
    title         text,
    author        text,
    url           text,
    language      text,
    published_at  timestamptz,
    received_at   timestamptz NOT NULL,
    symbols       text[] NOT NULL DEFAULT '{}',
    metrics       jsonb NOT NULL DEFAULT '{}',
    raw           jsonb NOT NULL,
    CONSTRAINT raw_items_source_external_id_key UNIQUE (source, external_id)
);

CREATE INDEX raw_items_received_at_idx ON raw_items (received_at);

-- Transactional outbox: a row per item still to be published, written in the same
-- transaction as the item and deleted once the broker has acknowledged the message.
CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id     uuid NOT NULL REFERENCES raw_items (id),
    topic       text NOT NULL CHECK (topic IN ('sentiment', 'aggregation')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text
);

CREATE INDEX outbox_item_id_idx ON outbox (item_id);
