#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) if needed and runs each for a bounded time, starting
# from its seed corpus in fuzz/corpus/<target>/. Prints one line per target; exits non-zero on any finding
# (crash, leak, undefined behaviour, timeout, out of memory) or a failed build.
#
#   fuzz/run.sh [seconds per target, default 20] [target ...]
#
# MEDIABASE_FUZZ_BUILD picks the build directory (default build-fuzz). New inputs the fuzzer finds go to a
# temporary folder, not into the repository's corpus; a finding is saved as
# <build>/fuzz-findings/<target>/crash-… (or leak-, timeout-, oom-) and its log in <build>/fuzz-logs/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-20}"
shift || true
build="${MEDIABASE_FUZZ_BUILD:-$root/build-fuzz}"
all_targets=(http_request name_parser nfo provider_json settings media_probe)
targets=("${@:-${all_targets[@]}}")

if [[ ! -f "$build/build.ninja" ]]; then
    cxx="clang++-14"
    command -v ccache > /dev/null && cxx="ccache clang++-14"
    CXX="$cxx" meson setup "$build" "$root" -Dfuzz=true --buildtype=debugoptimized > /dev/null
fi
ninja -C "$build" fuzzers > "$build/fuzz-build.log" 2>&1 || { tail -30 "$build/fuzz-build.log"; echo "fuzz: build failed"; exit 1; }

mkdir -p "$build/fuzz-logs"
failed=0
for target in "${targets[@]}"; do
    findings="$build/fuzz-findings/$target"
    log="$build/fuzz-logs/$target.log"
    mkdir -p "$findings"
    scratch="$(mktemp -d)"
    set +e
    "$build/fuzz/${target}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/" "$scratch" "$root/fuzz/corpus/$target" > "$log" 2>&1
    status=$?
    set -e
    rm -rf "$scratch"
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    if [[ $status -eq 0 ]]; then
        echo "$target: ok, ${runs:-?} executions in ${seconds}s (${speed:-?}/s), no findings"
    else
        failed=1
        finding="$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" || true)"
        echo "$target: FAILED (exit $status) after ${runs:-?} executions: ${finding:-see $log}; input in $findings/"
    fi
done
exit $failed
