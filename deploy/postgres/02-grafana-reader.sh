#!/usr/bin/env bash
# Run once by the postgres image after 01-databases.sql: a read-only login for Grafana on the analytics
# database. The tables do not exist yet, so the grant is a default privilege on what POSTGRES_USER creates.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname marketpulse_analytics \
  -v reader="$GRAFANA_DB_USER" -v password="$GRAFANA_DB_PASSWORD" -v owner="$POSTGRES_USER" <<'SQL'
CREATE ROLE :"reader" LOGIN PASSWORD :'password';
GRANT CONNECT ON DATABASE marketpulse_analytics TO :"reader";
GRANT USAGE ON SCHEMA public TO :"reader";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT ON TABLES TO :"reader";
SQL
