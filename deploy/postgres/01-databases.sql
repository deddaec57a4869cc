-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d), as POSTGRES_USER,
-- who owns the three databases. Tables, indexes and partitions come from `marketpulse migrate`.
CREATE DATABASE marketpulse_raw;
CREATE DATABASE marketpulse_analytics;
CREATE DATABASE marketpulse_logs;
