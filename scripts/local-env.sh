# Sourced by ./run.sh, ./test.sh and ./marketpulse: the settings of the one-machine mode.
# Whatever is already set in the environment wins, so the same scripts drive a scaled-out setup.
# shellcheck shell=bash

mp_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mp_data="${MP_DATA_DIR:-$mp_root/.data}"

# The private stack's connection strings, when it has been set up and nothing else is configured.
if [ -z "${ConnectionStrings__Raw:-}" ] && [ -s "$mp_data/pg-password" ]; then
  eval "$("$mp_root/scripts/stack.sh" env)"
fi

# Per-source webhook secrets: generated once on first start, kept under .data/ (never committed).
mp_ensure_secrets() {
  local file="$mp_data/secrets.env" source
  mkdir -p "$mp_data"
  if [ ! -s "$file" ]; then
    (
      umask 077
      for source in truedata news twitter reddit economic; do
        printf 'export Webhooks__Sources__%s__Secret=%s\n' "$source" "$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
      done >"$file"
    )
    echo "run.sh: generated webhook secrets in $file" >&2
  fi
}

if [ -s "$mp_data/secrets.env" ]; then
  # shellcheck disable=SC1091
  while IFS= read -r line; do
    var="${line#export }"; var="${var%%=*}"
    [ -z "${!var:-}" ] && eval "$line"
  done <"$mp_data/secrets.env"
fi

# The securities reference lists, when the shared data folder sits beside the repository.
if [ -z "${Analysis__SecuritiesFolder:-}" ] && [ -d "$mp_root/../shared/data/securities" ]; then
  export Analysis__SecuritiesFolder="$(cd "$mp_root/../shared/data/securities" && pwd)"
fi
