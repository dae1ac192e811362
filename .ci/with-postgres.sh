#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on loopback, then stop and remove it.
# Fails loudly if PostgreSQL cannot be started: the PostgreSQL test run is never silently skipped.
set -euo pipefail

bin_dir() {
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  local d; d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "with-postgres: no PostgreSQL server binaries (initdb) found; run .ci/setup-system.sh" >&2; exit 1; }
  echo "$d"
}
BIN=$(bin_dir)
PGTMP=$(mktemp -d /tmp/workup-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$PGTMP"
  as_pg() { runuser -u postgres -- "$@"; }   # initdb refuses to run as root
else
  as_pg() { "$@"; }
fi

stop() {
  as_pg "$BIN/pg_ctl" -D "$PGTMP/data" -w -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap stop EXIT

as_pg "$BIN/initdb" -D "$PGTMP/data" -A trust -U postgres -E UTF8 --no-locale --no-sync >"$PGTMP/initdb.log" 2>&1 \
  || { echo "with-postgres: initdb failed:" >&2; cat "$PGTMP/initdb.log" >&2; exit 1; }
as_pg "$BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
  -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
  || { echo "with-postgres: PostgreSQL did not start:" >&2; cat "$PGTMP/log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
# For `make faulttest`, which restarts this cluster mid-run (pg_ctl restart, as the postgres user when root).
export WORKUP_PG_BIN="$BIN" WORKUP_PG_DATA="$PGTMP/data" WORKUP_PG_LOG="$PGTMP/log"
echo "with-postgres: PostgreSQL $("$BIN/pg_ctl" --version | awk '{print $NF}') on 127.0.0.1:$PORT"
"$@"
