#!/usr/bin/env bash
# Run once by the postgres image after 01-databases.sql: a read-only login for Grafana on the three databases
# (analytics: sentiment and alerts; logs: error_summary and dependency events; raw: ingest rate and outbox).
# The tables do not exist yet, so the grant is a default privilege on what POSTGRES_USER creates.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v reader="$GRAFANA_DB_USER" -v password="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE :"reader" LOGIN PASSWORD :'password';
SQL
for database in marketpulse_analytics marketpulse_logs marketpulse_raw; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$database" \
    -v reader="$GRAFANA_DB_USER" -v owner="$POSTGRES_USER" -v database="$database" <<'SQL'
GRANT CONNECT ON DATABASE :"database" TO :"reader";
GRANT USAGE ON SCHEMA public TO :"reader";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT ON TABLES TO :"reader";
SQL
done
