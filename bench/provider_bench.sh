#!/usr/bin/env bash
# Provider benchmark: imports of new movies identified against the fake TMDB/OMDB server
# (bench/provider_bench_fake.py, loopback, every answer delayed by a latency).
#
#   bench/provider_bench.sh [N]            default N = 1000 movies
#
# 1. Rate-limited: the fake answers 429 above 40 requests in any second (like TMDB's soft cap) with 50 ms
#    latency; `mediabase scan` imports N new movies with its default settings (35 requests/s, 8 at once).
#    Reports the wall time against the least time the limit allows (requests made / 40), the 429s the fake
#    sent (must be 0) and that nothing was lost (every movie stored, identified and with its poster).
# 2. Unlimited: no limit at the fake, `--tmdb-rate 1000`; throughput for 1, 4 and 16 concurrent movies
#    (`--scraper-concurrency`), importing THROUGHPUT_MOVIES (default 200) each.
#
# Identifying one movie costs 5 requests here: a search, the details, the OMDB ratings, a poster and a
# backdrop. The fake serves images on the same host as the API, so the images count against the limit too
# (with the real services they come from TMDB's image CDN).
#
# Environment: MEDIABASE_BIN (default build/mediabase), LATENCY_MS (50), RATE_LIMIT (40),
# THROUGHPUT_MOVIES (200), CONCURRENCIES ("1 4 16"), BENCH_TMPDIR, BENCH_KEEP=1.
# Exits 1 when movies were lost or 429s were received, 2 on bad usage.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MEDIABASE_BIN:-$root/build/mediabase}
fake=$root/bench/provider_bench_fake.py
movies=${1:-1000}
latency=${LATENCY_MS:-50}
limit=${RATE_LIMIT:-40}
throughput_movies=${THROUGHPUT_MOVIES:-200}
read -r -a concurrencies <<<"${CONCURRENCIES:-1 4 16}"

die() {
    echo "provider_bench: $*" >&2
    exit 2
}
[[ $movies =~ ^[1-9][0-9]*$ ]] || die "not a movie count: $movies"
[[ -x $bin ]] || die "no binary at $bin (build it, or set MEDIABASE_BIN)"
command -v sqlite3 >/dev/null || die "needs the sqlite3 command"

work=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/provider-bench.XXXXXX")
fake_pid=""
cleanup() {
    # The fake ends by our SIGTERM (status 143): that is no failure of the bench (set -e would exit with it).
    [[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null || true
    [[ ${BENCH_KEEP:-0} == 1 ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

# Starts the fake with N synthetic movies (writing their library to DIR) and sets $port.
start_fake() {
    local count=$1 library=$2
    shift 2
    [[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null || true
    /usr/bin/python3 "$fake" --movies "$count" --library "$library" "$@" >"$work/fake.out" 2>"$work/fake.err" &
    fake_pid=$!
    for _ in $(seq 200); do
        grep -q '^PORT ' "$work/fake.out" 2>/dev/null && break
        sleep 0.05
    done
    port=$(awk '/^PORT /{print $2}' "$work/fake.out")
    [[ -n $port ]] || die "the fake provider did not start: $(cat "$work/fake.err")"
}

stat_field() { # stat_field KEY -> a top-level number of the fake's /_stats
    curl -s "http://127.0.0.1:$port/_stats" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# Imports LIBRARY into a fresh data dir with extra flags; sets $seconds.
run_import() {
    local library=$1 data=$2
    shift 2
    local started ended
    started=$(date +%s.%N)
    env -u TMDB_READ_TOKEN TMDB_API_KEY=test-tmdb-key OMDB_API_KEY=test-omdb-key \
        "$bin" scan --media "$library" --data "$data" --log-level warn \
        --tmdb-base-url "http://127.0.0.1:$port/3" --omdb-base-url "http://127.0.0.1:$port/omdb/" \
        --image-base-url "http://127.0.0.1:$port/img/t/p/" "$@" >"$data.out" 2>"$data.log" ||
        die "the import failed: $(tail -3 "$data.log")"
    ended=$(date +%s.%N)
    seconds=$(echo "$ended - $started" | bc -l)
}

count() { sqlite3 "$1/mediabase.db" "$2"; }

status=0

echo "== rate-limited: $movies new movies, fake limit $limit req/s, latency $latency ms, default settings"
start_fake "$movies" "$work/lib" --latency-ms "$latency" --rate-limit "$limit"
run_import "$work/lib" "$work/data-limited"
requests=$(stat_field requests)
sent_429=$(stat_field sent_429)
peak=$(stat_field max_in_one_second)
stored=$(count "$work/data-limited" "SELECT count(*) FROM movies")
identified=$(count "$work/data-limited" "SELECT count(*) FROM movies WHERE match_state = 'identified'")
with_art=$(count "$work/data-limited" "SELECT count(*) FROM movies WHERE poster IS NOT NULL AND backdrop IS NOT NULL")
floor=$(echo "$requests / $limit" | bc -l)
printf '%-28s %10.1f s\n' "import time" "$seconds"
printf '%-28s %10d (%.1f per movie)\n' "requests made" "$requests" "$(echo "$requests / $movies" | bc -l)"
printf '%-28s %10.1f s (requests / %d)\n' "least time the limit allows" "$floor" "$limit"
printf '%-28s %10.2f\n' "time / least time" "$(echo "$seconds / $floor" | bc -l)"
printf '%-28s %10d\n' "most requests in one second" "$peak"
printf '%-28s %10d\n' "429s received" "$sent_429"
printf '%-28s %10s\n' "stored / identified / art" "$stored / $identified / $with_art of $movies"
[[ $sent_429 -eq 0 ]] || { echo "FAIL: the provider answered 429"; status=1; }
[[ $stored -eq $movies && $identified -eq $movies && $with_art -eq $movies ]] || { echo "FAIL: movies lost"; status=1; }

echo
echo "== unlimited: $throughput_movies new movies per run, latency $latency ms, --tmdb-rate 1000"
start_fake "$throughput_movies" "$work/lib-unlimited" --latency-ms "$latency"
printf '%-12s %10s %12s %12s %10s\n' "concurrency" "time (s)" "movies/s" "requests/s" "lost"
for c in "${concurrencies[@]}"; do
    curl -s -X POST -d '{"reset_stats": true}' "http://127.0.0.1:$port/_control" >/dev/null
    run_import "$work/lib-unlimited" "$work/data-c$c" --tmdb-rate 1000 --scraper-concurrency "$c"
    requests=$(stat_field requests)
    identified=$(count "$work/data-c$c" "SELECT count(*) FROM movies WHERE match_state = 'identified' AND poster IS NOT NULL")
    lost=$((throughput_movies - identified))
    printf '%-12s %10.1f %12.1f %12.1f %10d\n' "$c" "$seconds" "$(echo "$throughput_movies / $seconds" | bc -l)" \
        "$(echo "$requests / $seconds" | bc -l)" "$lost"
    [[ $lost -eq 0 ]] || status=1
done
exit $status
