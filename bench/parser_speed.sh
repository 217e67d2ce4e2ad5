#!/usr/bin/env bash
# Name parser speed against the two npm parsers, on the same generated names, in one run.
#
#   bench/parser_speed.sh [BUILD_DIR] [COUNT]     (defaults: build, 100000)
#
# Installs the bench-only npm packages into bench/node_modules (exact versions from
# bench/package-lock.json), builds bench/parser_bench, generates COUNT realistic names with
# bench/gen_names.py, prints the corpus accuracy, then names/s for each parser and the ratio of
# Mediabase to the faster npm parser. SECONDS_PER_RUN (default 3) sets how long each parser runs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
count=${2:-100000}
seconds=${SECONDS_PER_RUN:-3}

echo "== npm packages (bench only)"
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error

echo "== build"
if [ ! -d "$build" ]; then
    meson setup "$build" "$root"
fi
ninja -C "$build" bench/parser_bench

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/gen_names.py" "$count" > "$work/names.txt"
echo "== $(wc -l < "$work/names.txt") generated names, e.g."
sed -n '1p;2p;3p;5p;8p' "$work/names.txt" | sed 's/^/   /'

echo "== accuracy over tests/corpus/movie_names.tsv"
"$build/bench/parser_bench" --corpus "$root/tests/corpus/movie_names.tsv"

echo "== speed (one thread, ${seconds}s each; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
mediabase=$("$build/bench/parser_bench" --names "$work/names.txt" --seconds "$seconds")
npm=$(node "$here/npm_parsers_bench.mjs" "$work/names.txt" "$seconds")
echo "$mediabase"
echo "$npm"

mb_rate=$(awk '{print $2}' <<< "$mediabase")
best_npm=$(awk '$2 > best {best = $2; name = $1} END {print best, name}' <<< "$npm")
awk -v mb="$mb_rate" -v best="$best_npm" 'BEGIN {
    split(best, b, " ");
    printf "== mediabase / fastest npm parser (%s): %.1fx (target >= 10x)\n", b[2], mb / b[1];
}'
