-- What ingest last saw of the broker it publishes the sentiment topic to: the cluster id and, per partition, the
-- highest offset the broker acknowledged (merged over ingest processes). A process that starts compares them with
-- the broker it finds, so a broker replaced, or the topic made again, while no ingest process ran is noticed like
-- one replaced under a running process, and the items without an outcome are queued again (BrokerLossWatch).
CREATE TABLE broker_marks (
    topic      text        NOT NULL,
    partition  integer     NOT NULL,
    cluster_id text        NOT NULL,
    acked      bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);
