#!/usr/bin/env bash
# Runs the whole MarketPulse pipeline on this machine: a private PostgreSQL and Redis (installed with
# apt-get when missing), the in-process Kafka-protocol development broker, and every role in one process.
# HTTP on 127.0.0.1:8080 unless MP_URLS says otherwise. Ctrl-C stops it (and the stack, if it started it).
# Extra arguments go to `marketpulse serve`, e.g. ./run.sh --Kafka:BootstrapServers=host:9092
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v dotnet >/dev/null || { echo "run.sh: the .NET 10 SDK is needed (dotnet on PATH)" >&2; exit 1; }

started_stack=0
if [ -z "${ConnectionStrings__Raw:-}" ]; then
  scripts/stack.sh status >/dev/null || started_stack=1
  scripts/stack.sh start
fi
cleanup() {
  if [ "$started_stack" = 1 ]; then scripts/stack.sh stop || true; fi
}
trap cleanup EXIT

# shellcheck source=scripts/local-env.sh
source scripts/local-env.sh
mp_ensure_secrets
source scripts/local-env.sh

# The dashboard's assets, when missing or older than their sources.
scripts/build-web.sh

./marketpulse serve --target all --urls "${MP_URLS:-http://127.0.0.1:8080}" --Database:MigrateOnStart=true "$@"
