#!/usr/bin/env bash
# The local stack for the one-machine mode, tests and CI: a private PostgreSQL
# cluster and a private redis-server, both on 127.0.0.1 only, data under .data/.
#
#   scripts/stack.sh start    install what is missing, start both, create the databases
#   scripts/stack.sh stop     stop both (no process is left behind)
#   scripts/stack.sh status   say what runs (exit status 0 when both run, 3 otherwise)
#   scripts/stack.sh env      print the environment (connection strings) for the stack
#   scripts/stack.sh restart postgresql|redis [SECONDS]
#                             stop one of them, wait SECONDS (default 3), start it again (the fault suite)
#
# Ports: MP_PG_PORT (default 54329), MP_REDIS_PORT (default 63799).
# The Kafka-protocol broker is not started here: the process hosts librdkafka's
# mock cluster itself when Kafka__BootstrapServers is empty.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${MP_DATA_DIR:-$ROOT/.data}"
PG_PORT="${MP_PG_PORT:-54329}"
REDIS_PORT="${MP_REDIS_PORT:-63799}"
PG_USER=marketpulse
DATABASES=(marketpulse_raw marketpulse_analytics marketpulse_logs)

log() { printf 'stack: %s\n' "$*" >&2; }

pg_bin() {
  local v
  for v in 17 16 15; do
    if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then echo "/usr/lib/postgresql/$v/bin"; return; fi
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    # From /, since the postgres user may not be allowed into the checkout.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

install_missing() {
  local need=()
  pg_bin >/dev/null || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      log "missing ${need[*]}; run: sudo apt-get update && sudo apt-get install -y ${need[*]}"
      exit 1
    fi
    log "installing ${need[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  # Debian starts the packaged services; they are not ours and do not get in the way (other ports).
}

# PostgreSQL refuses to run as root, so its data directory belongs to the postgres
# user; it must be able to reach it. A checkout under a folder that user cannot
# enter keeps the cluster under /var/tmp instead.
pg_data_dir() {
  local dir="$DATA/pg"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$DATA" 2>/dev/null; then
    dir="/var/tmp/marketpulse-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)/pg"
  fi
  echo "$dir"
}

pg_password() {
  local f="$DATA/pg-password"
  if [ ! -s "$f" ]; then
    umask 077
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$f"
  fi
  cat "$f"
}

pg_running() {
  local bin dir
  bin="$(pg_bin)" || return 1
  dir="$(pg_data_dir)"
  [ -f "$dir/PG_VERSION" ] && as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

start_pg() {
  local bin dir pw
  bin="$(pg_bin)"
  dir="$(pg_data_dir)"
  pw="$(pg_password)"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir" "$(dirname "$dir")" 2>/dev/null || true
    chmod 700 "$dir"
    local pwfile
    pwfile="$(mktemp)"
    printf '%s\n' "$pw" >"$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
    as_postgres "$bin/initdb" -D "$dir" -U "$PG_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >>"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
synchronous_commit = on
fsync = on
log_min_messages = warning
EOF
  fi
  if pg_running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $PG_PORT" -w -t 60 start >/dev/null
    log "PostgreSQL started on 127.0.0.1:$PG_PORT"
  fi
  local db
  for db in "${DATABASES[@]}"; do
    if ! PGPASSWORD="$pw" psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      PGPASSWORD="$pw" psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "CREATE DATABASE $db" >/dev/null
      log "created database $db"
    fi
  done
}

stop_pg() {
  local bin dir
  bin="$(pg_bin)" || return 0
  dir="$(pg_data_dir)"
  if pg_running; then
    as_postgres "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    log "PostgreSQL stopped"
  fi
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

redis_running() { command -v redis-cli >/dev/null && redis_cli ping 2>/dev/null | grep -q PONG; }

start_redis() {
  mkdir -p "$DATA/redis"
  if redis_running; then
    log "Redis already running on 127.0.0.1:$REDIS_PORT"
    return
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" --daemonize yes \
    --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" \
    --save "" --appendonly yes --appendfsync everysec --protected-mode yes
  local i
  for i in $(seq 1 50); do redis_running && break; sleep 0.1; done
  redis_running || { log "redis-server did not start; see $DATA/redis/redis.log"; exit 1; }
  log "Redis started on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  if redis_running; then
    redis_cli shutdown nosave >/dev/null 2>&1 || true
    local i
    for i in $(seq 1 50); do redis_running || break; sleep 0.1; done
    log "Redis stopped"
  fi
}

print_env() {
  local pw
  pw="$(pg_password)"
  local base="Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Password=$pw"
  echo "export ConnectionStrings__Raw='$base;Database=marketpulse_raw'"
  echo "export ConnectionStrings__Analytics='$base;Database=marketpulse_analytics'"
  echo "export ConnectionStrings__Logs='$base;Database=marketpulse_logs'"
  echo "export ConnectionStrings__Admin='$base;Database=postgres'"
  echo "export Redis__Configuration='127.0.0.1:$REDIS_PORT'"
}

mkdir -p "$DATA"
case "${1:-}" in
  start)
    install_missing
    start_pg
    start_redis
    ;;
  stop)
    stop_pg
    stop_redis
    ;;
  status)
    # Exit status 0 only when both run.
    up=0
    if pg_running; then echo "postgresql: running on 127.0.0.1:$PG_PORT"; else echo "postgresql: stopped"; up=3; fi
    if redis_running; then echo "redis: running on 127.0.0.1:$REDIS_PORT"; else echo "redis: stopped"; up=3; fi
    exit "$up"
    ;;
  env)
    print_env
    ;;
  restart)
    down="${3:-3}"
    case "${2:-}" in
      postgresql) stop_pg; sleep "$down"; start_pg ;;
      redis) stop_redis; sleep "$down"; start_redis ;;
      *) echo "usage: $0 restart postgresql|redis [SECONDS]" >&2; exit 2 ;;
    esac
    ;;
  *)
    echo "usage: $0 start|stop|status|env|restart postgresql|redis" >&2
    exit 2
    ;;
esac
