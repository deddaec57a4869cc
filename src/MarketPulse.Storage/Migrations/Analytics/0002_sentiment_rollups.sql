-- Per-minute sentiment by symbol and asset class, kept up to date by the analysis worker in the
-- same transaction as the results: dashboards read this instead of scanning analysis_results.
-- symbol '*' holds the totals of an asset class.
CREATE TABLE sentiment_minute (
    bucket       timestamptz NOT NULL,
    symbol       text NOT NULL,
    asset_class  text NOT NULL,
    items        integer NOT NULL,
    score_sum    double precision NOT NULL,
    bullish      integer NOT NULL,
    bearish      integer NOT NULL,
    neutral      integer NOT NULL,
    PRIMARY KEY (bucket, symbol, asset_class)
);

CREATE INDEX sentiment_minute_symbol_idx ON sentiment_minute (symbol, bucket);
