#!/usr/bin/env bash
# Builds the dashboard's static files (src/MarketPulse/Dashboard/web -> Dashboard/wwwroot, embedded in the
# assembly) when they are missing or older than their sources: npm ci from the lock file, then esbuild.
# Run by ./run.sh, ./test.sh and the MarketPulse build itself; nothing of it runs at run time.
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/../src/MarketPulse/Dashboard/web" && pwd)"
out="$web/../wwwroot/index.html"
if [ -f "$out" ] && [ -z "$(find "$web/src" "$web/build.mjs" "$web/package-lock.json" -newer "$out" -print -quit)" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "build-web: Node.js and npm are needed to build the dashboard (apt-get install -y nodejs npm)" >&2; exit 1; }
cd "$web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs
