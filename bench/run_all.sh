#!/usr/bin/env bash
# Every benchmark of the repo in one go (issue 13), then BENCHMARKS.md with one table per measure (goal,
# result, reference, ratio), the machine and its load, and an SVG chart per family in bench/charts/.
#
#   bench/run_all.sh [--quick] [--only NAME[,NAME...]]
#
#   NAME: reads (list/search/movie vs nginx, starvation, gzip), import (vs find, ext4 and tmpfs), fanout
#   (WebSocket readers), mailbox (vs a raw channel), parser (vs npm parsers), provider (vs the rate bound)
#   --quick   small sizes and short runs (about 5 minutes): a smoke run of the whole chain, not figures to
#             quote
#
# Installs nginx-light, wrk and GNU time from Debian when missing (root or sudo). Builds build/mediabase
# and the bench programs (BUILD_DIR, default build). Raw logs go to BENCH_OUT (default: a temporary
# directory, printed at the end). A benchmark that fails is reported as failed in BENCHMARKS.md; the others
# still run. Exit status: 1 when any benchmark failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
quick=0
only=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) quick=1 ;;
    --only) only=$2; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run_all: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
wanted() { [[ -z $only || ,$only, == *,$1,* ]]; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v bc >/dev/null || missing+=(bc)
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "== installing ${missing[*]} (Debian)" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
export PATH=$PATH:/usr/sbin

echo "== build ($build)" >&2
[[ -d $build ]] || meson setup "$build" "$root" >&2
ninja -C "$build" mediabase bench/mailbox_bench bench/parser_bench >&2 || { echo "run_all: build failed" >&2; exit 1; }
export MEDIABASE_BIN=$build/mediabase

out=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/mediabase-benchmarks.XXXXXX")}
mkdir -p "$out"
# Appended: runs into one BENCH_OUT (say --only reads, then --quick --only import) add up in one report.
echo "quick=$quick" >>"$out/run.txt"
echo "build=$(meson introspect "$build" --buildoptions 2>/dev/null | python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null || echo unknown)" >>"$out/run.txt"
echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$out/run.txt"
echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/run.txt"
failed=0

# run NAME COMMAND...: the command's stdout and stderr into NAME.log, its status into NAME.status.
run() {
    local name=$1
    shift
    echo "== $name: $*" >&2
    echo "mode_$name=$([[ $quick -eq 1 ]] && echo quick || echo full)" >>"$out/run.txt"
    local started=$SECONDS
    "$@" >"$out/$name.log" 2>&1
    local status=$?
    echo "$status" >"$out/$name.status"
    echo "   exit $status after $((SECONDS - started)) s (log: $out/$name.log)" >&2
    [[ $status -eq 0 ]] || failed=1
}

if wanted reads; then
    if [[ $quick -eq 1 ]]; then
        run reads python3 "$root/bench/read_bench.py" --quick --out "$out/reads.json"
    else
        run reads python3 "$root/bench/read_bench.py" --out "$out/reads.json" ${BENCH_LIBRARY:+--library "$BENCH_LIBRARY"} \
            ${BENCH_DATA:+--data "$BENCH_DATA"}
    fi
fi
if wanted import; then
    if [[ $quick -eq 1 ]]; then
        BENCH_TMPDIR=/tmp run import_ext4 "$root/bench/import_bench.sh" 2000
        BENCH_TMPDIR=/dev/shm run import_tmpfs "$root/bench/import_bench.sh" 2000
    else
        BENCH_TMPDIR=/tmp run import_ext4 "$root/bench/import_bench.sh" 10000 100000
        BENCH_TMPDIR=/dev/shm run import_tmpfs "$root/bench/import_bench.sh" 10000 100000
    fi
fi
if wanted fanout; then
    if [[ $quick -eq 1 ]]; then
        run fanout "$root/bench/ws_fanout.sh" --no-tab --files 3000 --readers 10 --rounds 1
    else
        # The full measure of issue 10: 100,000 files, 100 readers, a stalled client and a Chromium tab. The
        # server on one core and its clients on the other: on two shared cores the clients' own work would be
        # measured as the server's.
        run fanout "$root/bench/ws_fanout.sh" --split-cores
    fi
fi
if wanted mailbox; then
    if [[ $quick -eq 1 ]]; then
        run mailbox "$build/bench/mailbox_bench" 300000 1
    else
        run mailbox "$build/bench/mailbox_bench"
    fi
fi
if wanted parser; then
    if [[ $quick -eq 1 ]]; then
        ROUNDS=1 SECONDS_PER_RUN=1 run parser "$root/bench/parser_speed.sh" "$build" 20000
    else
        run parser "$root/bench/parser_speed.sh" "$build"
    fi
fi
if wanted provider; then
    if [[ $quick -eq 1 ]]; then
        THROUGHPUT_MOVIES=20 CONCURRENCIES="1 8" run provider "$root/bench/provider_bench.sh" 40
    else
        run provider "$root/bench/provider_bench.sh"
    fi
fi

echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$out/run.txt"
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/run.txt"
python3 "$root/bench/report.py" "$out" "$root/BENCHMARKS.md" "$root/bench/charts" || failed=1
echo "== BENCHMARKS.md written; raw logs in $out" >&2
exit "$failed"
