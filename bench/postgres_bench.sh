#!/usr/bin/env bash
# PostgreSQL beside SQLite on the same machine, in one run (issue 14, part 7): one synthetic library
# (tools/gen_library.py) imported into each engine, then the server on each measured with wrk.
#
#   bench/postgres_bench.sh [--files N]     default N: 100000
#
# Per engine it measures
#   import   `mediabase scan` into an empty catalogue (PostgreSQL: a throwaway cluster, tools/pg_cluster.sh,
#            unix socket): wall time and files/s
#   list     `GET /api/v1/movies?limit=50&offset=K`, K a random page (so most answers miss the response
#            cache): wrk requests/s
#   search   `GET /api/v1/movies?q=WORD&limit=50`, WORD one of 24 title words: wrk p99 latency
# Both are measured once the server's first Prober pass over the new files has ended (a settled catalogue).
# Targets (issue 14): import >= 10,000 files/s on PostgreSQL; list and search within 2x of SQLite.
#
# Environment:
#   MEDIABASE_BIN   binary to measure (default: build/mediabase)
#   BENCH_SECONDS   wrk duration per measurement (default 10)
#   BENCH_CONNECTIONS wrk connections (default 16)
#   BENCH_TMPDIR    where the library, data dirs and cluster go (default: $TMPDIR or /tmp)
#   BENCH_KEEP=1    keep the temporary directory
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MEDIABASE_BIN:-$root/build/mediabase}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-16}
files=100000

die() {
    echo "postgres_bench: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --files)
        [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--files: expected a file count, got '${2:-}'"
        files=$2
        shift 2
        ;;
    *) die "unknown argument '$1' (expected --files N)" ;;
    esac
done
[[ -x $bin ]] || die "no binary at $bin (build it, or set MEDIABASE_BIN)"
command -v wrk >/dev/null || die "wrk is needed: apt-get install wrk"

tmp=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/mediabase-pgbench.XXXXXX")
chmod 755 "$tmp" # the cluster runs as nobody when this runs as root
server_pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    "$root/tools/pg_cluster.sh" stop "$tmp/cluster" >/dev/null 2>&1 || true
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

echo "generating $files files ..." >&2
summary=$(python3 "$root/tools/gen_library.py" "$tmp/library" --count "$files" --seed 1 | tail -n 1)
movies=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["movies_expected"])' "$summary")
conninfo=$("$root/tools/pg_cluster.sh" start "$tmp/cluster" | tail -n 1)

# Random pages of the list, and search words that titles of the generated library hold.
cat >"$tmp/list.lua" <<EOF
math.randomseed(1)
request = function()
  return wrk.format("GET", "/api/v1/movies?limit=50&offset=" .. (50 * math.random(0, math.max(0, math.floor($movies / 50) - 1))))
end
EOF
cat >"$tmp/search.lua" <<'EOF'
math.randomseed(2)
local words = {"night", "love", "blade", "star", "the", "man", "last", "dark", "city", "king", "war", "day",
               "house", "girl", "dead", "black", "world", "life", "time", "home", "red", "lost", "story", "heart"}
request = function()
  return wrk.format("GET", "/api/v1/movies?limit=50&q=" .. words[math.random(#words)])
end
EOF

env_clean=(env -u TMDB_API_KEY -u TMDB_READ_TOKEN -u OMDB_API_KEY -u MEDIABASE_DATABASE -u MEDIABASE_MEDIA)
results=()
for engine in sqlite postgresql; do
    data="$tmp/data-$engine"
    database=("--database" "sqlite:$data/mediabase.db")
    [[ $engine == postgresql ]] && database=("--database" "$conninfo")
    started=$(date +%s.%N)
    "${env_clean[@]}" "$bin" scan --media "$tmp/library" --data "$data" "${database[@]}" --log-level warn >/dev/null
    ended=$(date +%s.%N)
    import_s=$(echo "$ended - $started" | bc -l)
    rate=$(echo "$files / $import_s" | bc -l)

    # The server announces its port on its first stdout line.
    coproc SERVER { exec "${env_clean[@]}" "$bin" serve --data "$data" "${database[@]}" --listen 127.0.0.1:0 \
        --auth trusted-networks --watch false --backup-interval 0 --log-level info 2>"$tmp/serve-$engine.log"; }
    server_pid=$SERVER_PID
    read -r line <&"${SERVER[0]}"
    port=${line##*:}
    base="http://127.0.0.1:$port"
    # A settled catalogue is measured: the Prober's first pass over the new files (media information, a write
    # per 16 files that makes the cached answers stale) runs for minutes after the first start; its end is
    # logged as "prober: read N file(s)".
    waited=0
    until grep -q "prober: read" "$tmp/serve-$engine.log"; do
        ((waited++ < 1800)) || die "$engine: the Prober's first pass did not end within 30 minutes"
        sleep 1
    done
    echo "$engine: the Prober's first pass ended after ${waited} s" >&2
    wrk -t2 -c"$connections" -d"${seconds}s" -s "$tmp/list.lua" "$base" >"$tmp/list-$engine.txt"
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$tmp/search.lua" "$base" >"$tmp/search-$engine.txt"
    # An answer that is not 200 would measure an error page: refused.
    if grep -q "Non-2xx" "$tmp/list-$engine.txt" "$tmp/search-$engine.txt"; then
        grep -H "Non-2xx" "$tmp/list-$engine.txt" "$tmp/search-$engine.txt" >&2
        die "$engine answered errors under load"
    fi
    list_rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/list-$engine.txt")
    search_p99=$(awk '$1 == "99%" {print $2}' "$tmp/search-$engine.txt")
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    results+=("$(printf '%-11s %8.1f s %10.0f files/s %10s req/s %10s' "$engine" "$import_s" "$rate" "$list_rps" \
        "$search_p99")")
done

echo "PostgreSQL beside SQLite: $files files, $movies movies, wrk ${seconds}s x $connections connections"
printf '%-11s %10s %18s %16s %10s\n' engine import "import rate" "list limit=50" "search p99"
printf '%s\n' "${results[@]}"
