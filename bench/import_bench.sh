#!/usr/bin/env bash
# Import benchmark: for each library size N, generate a synthetic library (tools/gen_library.py) and
# measure the real binary against a plain `find` walk of the same tree.
#
#   bench/import_bench.sh [N...]          default: 10000 100000
#
# Per N it measures
#   find     `find DIR -printf '%s %T@\n'` — one warm-up run, then the median of 3 runs; the warm-up also
#            warms the page cache for the imports below
#   import   `mediabase scan --media DIR --data DATA` into an empty data dir: wall time, peak RSS
#            (/usr/bin/time %M), files/s
#   re-import the same command again with nothing changed: wall time and its ratio to the find time
# and checks the targets: unchanged re-import <= 2x find; first import >= 20,000 files/s;
# peak RSS <= 150 MB at 100,000 files.
#
# Environment:
#   MEDIABASE_BIN      binary to measure (default: build/mediabase)
#   MEDIABASE_SCAN_ARGS extra arguments for `mediabase scan` (default: --log-level warn)
#   PYTHON             interpreter for the generator (default: python3)
#   BENCH_SEED         generator seed (default: 1)
#   BENCH_GEN_ARGS     extra generator arguments, e.g. --sparse
#   BENCH_TMPDIR       where libraries and data dirs go (default: $TMPDIR or /tmp); it decides the
#                      file system being measured
#   BENCH_KEEP=1       keep the temporary directory
#   BENCH_STRICT=1     exit 3 when a target is missed
# The imports run without metadata-provider keys (TMDB_*, OMDB_API_KEY and MEDIABASE_* are removed from
# their environment), so they measure walking, parsing and storing, not the network.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MEDIABASE_BIN:-$root/build/mediabase}
python=${PYTHON:-python3}
generator=$root/tools/gen_library.py
seed=${BENCH_SEED:-1}
read -r -a scan_args <<<"${MEDIABASE_SCAN_ARGS---log-level warn}"
read -r -a gen_args <<<"${BENCH_GEN_ARGS:-}"

readonly target_ratio=2 target_rate=20000 target_rss_mb=150 rss_target_files=100000

die() {
    echo "import_bench: $*" >&2
    exit 2
}

sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 100000)
for n in "${sizes[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "not a file count: $n"
done
[[ -x $bin ]] || die "no binary at $bin (build it, or set MEDIABASE_BIN)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed for peak RSS: apt-get install time"
[[ -r $generator ]] || die "missing $generator"

tmp=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/mediabase-bench.XXXXXX")
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        echo "kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

# The imports run without provider keys or MEDIABASE_* settings from the caller's environment.
clean_env=(env -u TMDB_API_KEY -u TMDB_READ_TOKEN -u OMDB_API_KEY)
while read -r name; do
    [[ $name == MEDIABASE_* ]] && clean_env+=(-u "$name")
done < <(compgen -e)

# stamp VAR: the current time in microseconds, without a subshell
stamp() {
    local t=${EPOCHREALTIME/[.,]/}
    printf -v "$1" '%d' "$((10#$t))"
}

# seconds with 3 decimals from microseconds
secs() {
    awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'
}

# median of the arguments (an odd count)
median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[(NR + 1) / 2] }'
}

# find_walk DIR: sets walk_us
find_walk() {
    local start end
    stamp start
    find "$1" -printf '%s %T@\n' >/dev/null
    stamp end
    walk_us=$((end - start))
}

# run_scan LIB DATA LOG: runs one import; sets scan_us and scan_rss_kb; returns the binary's exit status
run_scan() {
    local lib=$1 data=$2 log=$3 timing=$tmp/time.out start end status=0
    stamp start
    "${clean_env[@]}" /usr/bin/time -f '%e %M' -o "$timing" \
        "$bin" scan --media "$lib" --data "$data" "${scan_args[@]}" >"$log" 2>&1 </dev/null || status=$?
    stamp end
    scan_us=$((end - start))
    # GNU time puts "Command exited with non-zero status N" before the format line on failure.
    scan_rss_kb=$(tail -n 1 "$timing" | awk '{ print $2 }')
    if [[ $status -ne 0 ]]; then
        echo "import_bench: '$bin scan' exited with $status; last lines of $log:" >&2
        tail -n 20 "$log" >&2
    fi
    return "$status"
}

# scan_found LOG: the movie count of the scan's last "finished: N found" line, or "-"
scan_found() {
    local found
    found=$(sed -n 's/.*finished: \([0-9][0-9]*\) found.*/\1/p' "$1" | tail -n 1)
    echo "${found:--}"
}

json_field() {
    # json_field NAME JSON: a numeric field of the generator's one-line summary
    sed -n "s/.*\"$1\": \([0-9][0-9]*\).*/\1/p" <<<"$2"
}

rows=()
verdicts=()
failed=0
missed=0

for n in "${sizes[@]}"; do
    lib=$tmp/library-$n
    data=$tmp/data-$n
    echo "== $n files: generating $lib" >&2
    gen_start=0 gen_end=0
    stamp gen_start
    summary=$("$python" "$generator" "$lib" --count "$n" --seed "$seed" "${gen_args[@]}")
    stamp gen_end
    gen_us=$((gen_end - gen_start))
    files=$(json_field files "$summary")
    movies=$(json_field movies_expected "$summary")
    echo "   $summary" >&2

    echo "== $n files: find (warm-up + 3 runs)" >&2
    find_walk "$lib"
    find_runs=()
    for _ in 1 2 3; do
        find_walk "$lib"
        find_runs+=("$walk_us")
    done
    find_us=$(median "${find_runs[@]}")

    echo "== $n files: first import" >&2
    if ! run_scan "$lib" "$data" "$tmp/import-$n.log"; then
        failed=1
        rows+=("$(printf '%8s %8s %7s %7s %8s  %s' "$files" "$movies" - "$(secs "$gen_us")" "$(secs "$find_us")" \
            "import failed")")
        rm -rf "$lib" "$data"
        continue
    fi
    import_us=$scan_us
    import_rss_kb=$scan_rss_kb
    found=$(scan_found "$tmp/import-$n.log")

    echo "== $n files: unchanged re-import" >&2
    reimport_text=failed
    ratio_text=-
    if run_scan "$lib" "$data" "$tmp/reimport-$n.log"; then
        reimport_us=$scan_us
        reimport_text=$(secs "$reimport_us")
        ratio_text=$(awk -v a="$reimport_us" -v b="$find_us" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    else
        failed=1
    fi

    rate=$(awk -v f="$files" -v us="$import_us" 'BEGIN { printf "%.0f", (us > 0 ? f * 1e6 / us : 0) }')
    rss_mb=$(awk -v kb="$import_rss_kb" 'BEGIN { printf "%.1f", kb / 1024 }')
    rows+=("$(printf '%8s %8s %7s %7s %8s %9s %10s %8s %11s %8s' "$files" "$movies" "$found" "$(secs "$gen_us")" \
        "$(secs "$find_us")" "$(secs "$import_us")" "$rate" "$rss_mb" "$reimport_text" "${ratio_text}x")")

    # Targets.
    if [[ $ratio_text != - ]]; then
        if awk -v r="$ratio_text" -v t="$target_ratio" 'BEGIN { exit !(r <= t) }'; then
            verdicts+=("$n files: unchanged re-import <= ${target_ratio}x find: met (${ratio_text}x)")
        else
            missed=1
            verdicts+=("$n files: unchanged re-import <= ${target_ratio}x find: missed by $(awk -v r="$ratio_text" -v t="$target_ratio" 'BEGIN { printf "%.2fx", r - t }') (${ratio_text}x)")
        fi
    fi
    if ((rate >= target_rate)); then
        verdicts+=("$n files: first import >= $target_rate files/s: met ($rate files/s)")
    else
        missed=1
        verdicts+=("$n files: first import >= $target_rate files/s: missed by $((target_rate - rate)) files/s ($rate files/s)")
    fi
    if ((n == rss_target_files)); then
        if awk -v m="$rss_mb" -v t="$target_rss_mb" 'BEGIN { exit !(m <= t) }'; then
            verdicts+=("$n files: peak RSS <= $target_rss_mb MB: met ($rss_mb MB)")
        else
            missed=1
            verdicts+=("$n files: peak RSS <= $target_rss_mb MB: missed by $(awk -v m="$rss_mb" -v t="$target_rss_mb" 'BEGIN { printf "%.1f MB", m - t }') ($rss_mb MB)")
        fi
    fi

    # Free the disk before the next size.
    rm -rf "$lib" "$data"
done

echo
echo "mediabase import benchmark: $bin"
echo "file system: $(df -PT "$tmp" | awk 'NR == 2 { print $2 " (" $1 ")" }'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "movies: what a perfect scanner finds; found: the first import's own count (its last output line)"
printf '%8s %8s %7s %7s %8s %9s %10s %8s %11s %8s\n' files movies found gen_s find_s import_s files/s rss_MB reimport_s \
    ratio
for row in "${rows[@]}"; do
    echo "$row"
done
echo
echo "targets:"
if [[ ${#verdicts[@]} -eq 0 ]]; then
    echo "  none checked"
fi
for verdict in "${verdicts[@]}"; do
    echo "  $verdict"
done
rss_measured=0
for n in "${sizes[@]}"; do
    ((n == rss_target_files)) && rss_measured=1
done
if ((!rss_measured)); then
    echo "  peak RSS <= $target_rss_mb MB at $rss_target_files files: not measured (add $rss_target_files to the sizes)"
fi

if ((failed)); then
    exit 1
fi
if ((missed)) && [[ ${BENCH_STRICT:-0} == 1 ]]; then
    exit 3
fi
exit 0
