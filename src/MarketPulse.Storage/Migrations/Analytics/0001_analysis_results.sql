-- One row per item and analysis version (analyzer/model/prompt): a re-analysis adds a row, history stays.
CREATE TABLE analysis_results (
    item_id         uuid NOT NULL,
    version         text NOT NULL,
    source          text NOT NULL,
    external_id     text NOT NULL,
    label           text NOT NULL CHECK (label IN ('bullish', 'bearish', 'neutral')),
    score           real NOT NULL CHECK (score BETWEEN -1 AND 1),
    confidence      real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    asset_class     text NOT NULL CHECK (asset_class IN ('equity', 'index', 'commodity', 'currency', 'crypto', 'rates', 'macro')),
    entities        jsonb NOT NULL DEFAULT '[]',
    symbols         text[] NOT NULL DEFAULT '{}',
    analyzer        text NOT NULL,
    model           text NOT NULL,
    prompt_version  text NOT NULL,
    published_at    timestamptz,
    received_at     timestamptz NOT NULL,
    analyzed_at     timestamptz NOT NULL DEFAULT now(),
    latency_ms      double precision NOT NULL,
    PRIMARY KEY (item_id, version)
);

CREATE INDEX analysis_results_analyzed_at_idx ON analysis_results (analyzed_at);
CREATE INDEX analysis_results_symbols_idx ON analysis_results USING gin (symbols);

-- Items not analysed because they repeat an earlier one.
CREATE TABLE duplicates (
    item_id      uuid PRIMARY KEY,
    original_id  uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('exact', 'near')),
    similarity   real NOT NULL,
    source       text NOT NULL,
    external_id  text NOT NULL,
    received_at  timestamptz NOT NULL,
    detected_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX duplicates_original_id_idx ON duplicates (original_id);

-- Items that could not be analysed after every attempt (also sent to the dead-letter topic).
CREATE TABLE analysis_failures (
    item_id     uuid PRIMARY KEY,
    source      text,
    external_id text,
    attempts    integer NOT NULL,
    error       text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);

-- Alerts raised by the rules.
CREATE TABLE alerts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule        text NOT NULL,
    symbol      text,
    item_id     uuid,
    severity    text NOT NULL,
    message     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alerts_rule_item_symbol_key UNIQUE (rule, item_id, symbol)
);

CREATE INDEX alerts_created_at_idx ON alerts (created_at);
