#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: its data, unix socket and log under one folder, trust
# authentication, no TCP port. Run as a non-root user (PostgreSQL refuses root): as `nobody` when called by root.
#
#   tools/pg_cluster.sh start DIR   initdb + pg_ctl start; prints the conninfo of its database `mediabase_test`
#   tools/pg_cluster.sh stop DIR    pg_ctl stop (fast); DIR stays (remove it yourself)
#   tools/pg_cluster.sh restart DIR pg_ctl restart (tests of a server restart)
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: tools/pg_cluster.sh start|stop|restart DIR" >&2
  exit 2
fi
# The newest installed server (Debian keeps its programs out of PATH).
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg_cluster: PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    [ "$(id -u)" -eq 0 ] && chown nobody: "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U mediabase --auth=trust --encoding=UTF8 --locale=C.UTF-8 -N \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # Unix socket only, in DIR; durability is not needed for a test cluster.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    if ! "$bin/psql" -h "$dir" -U mediabase -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = 'mediabase_test'" | grep -q 1; then
      "$bin/psql" -h "$dir" -U mediabase -d postgres -qc "CREATE DATABASE mediabase_test" >/dev/null
    fi
    echo "host=$dir user=mediabase dbname=mediabase_test"
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w restart >/dev/null
    ;;
  *)
    echo "usage: tools/pg_cluster.sh start|stop|restart DIR" >&2
    exit 2
    ;;
esac
