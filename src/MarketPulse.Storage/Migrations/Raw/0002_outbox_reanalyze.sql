-- Replay: an outbox row may ask the worker to analyse an item again (a new model or prompt), even though
-- it already has a result; the new result is stored as a new version beside the old ones.
ALTER TABLE outbox ADD COLUMN reanalyze boolean NOT NULL DEFAULT false;
