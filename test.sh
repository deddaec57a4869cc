#!/usr/bin/env bash
# Runs every test against the real PostgreSQL, Redis (the private stack, started when needed) and the
# in-process Kafka-protocol broker. Ends with the line "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK is needed (dotnet on PATH)" >&2; echo "0 passed, 1 failed"; exit 1; }

started_stack=0
if [ -z "${ConnectionStrings__Admin:-}" ]; then
  scripts/stack.sh status >/dev/null || started_stack=1
  scripts/stack.sh start || { echo "0 passed, 1 failed"; exit 1; }
  eval "$(scripts/stack.sh env)"
fi
cleanup() {
  if [ "$started_stack" = 1 ]; then scripts/stack.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# The dashboard's assets (npm ci from the lock file, esbuild) and the browser the browser tests drive.
scripts/build-web.sh || { echo "test.sh: building the dashboard assets failed" >&2; echo "0 passed, 1 failed"; exit 1; }
if [ ! -x /usr/bin/chromium ]; then
  apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; } || echo "test.sh: chromium could not be installed; the browser tests will fail" >&2
fi

# The offline validator of compose.yaml (tests/MarketPulse.Tests/Deployment): Debian's docker-compose 1.29, whose
# `config` needs no Docker engine and no image. Without it those tests fail; they do not skip.
if ! command -v docker-compose >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose; } >/dev/null 2>&1 \
    || echo "test.sh: could not install docker-compose; the compose validation tests will fail" >&2
fi

results="TestResults"
rm -rf "$results"
if ! dotnet build MarketPulse.slnx -c Release --nologo -v q -clp:ErrorsOnly; then
  echo "test.sh: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test MarketPulse.slnx -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  t="$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")"
  e="$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$failed" -gt 0 ]; then
  # The failed tests again, with the first lines of their messages, just above the summary: a CI log is often
  # read from its tail only.
  echo "Failed tests:"
  for trx in "$results"/*.trx; do
    awk '
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); failing = 1; print "  FAILED " name; next }
      failing && /<Message>/ { inmsg = 1; lines = 0; sub(/.*<Message>/, "") }
      inmsg { line = $0; done = sub(/<\/Message>.*/, "", line); if (lines < 4 && line != "") print "    " line; lines++; if (done) { inmsg = 0; failing = 0 } }
      failing && /<\/UnitTestResult>/ { failing = 0 }
    ' "$trx"
  done
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run failed without a failed test (a crash, a missing result): never report it green
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  failed=1
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
